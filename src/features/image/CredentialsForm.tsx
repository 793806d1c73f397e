import { useId, useState, type FormEvent } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { credentialsStore } from "../../lib/credentials";

/**
 * Username and password (or token) for one registry. Kept in this tab's memory only and sent
 * through our proxy to that registry alone; on submit every query for the registry starts over.
 */
export function CredentialsForm({ registry, refused }: { readonly registry: string; readonly refused: boolean }) {
  const queryClient = useQueryClient();
  const id = useId();
  const [username, setUsername] = useState(() => credentialsStore.get(registry)?.username ?? "");
  const [password, setPassword] = useState("");

  function submit(e: FormEvent<HTMLFormElement>): void {
    e.preventDefault();
    if (!username) return;
    credentialsStore.set(registry, { username, password });
    void queryClient.resetQueries({ predicate: (q) => q.queryKey[1] === registry });
  }

  return (
    <form
      data-testid="credentials-form"
      autoComplete="off"
      onSubmit={submit}
      className="mt-3 rounded-md border border-slate-300 bg-white p-3 text-slate-900"
      aria-label={`Credentials for ${registry}`}
    >
      <p className="text-[13px] font-medium">
        Log in to <span className="font-mono">{registry}</span>
        {refused && <span className="ml-2 text-rose-700">(the last credentials were refused)</span>}
      </p>
      <div className="mt-2 flex flex-wrap items-end gap-2">
        <label htmlFor={`${id}-u`} className="flex flex-col gap-1 text-xs font-medium text-slate-700">
          Username
          <input
            id={`${id}-u`}
            name="username"
            autoComplete="off"
            spellCheck={false}
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            className="w-48 rounded border border-slate-300 px-2 py-1 text-sm font-normal text-slate-900 focus:border-indigo-500 focus:outline-2 focus:outline-indigo-500/40"
          />
        </label>
        <label htmlFor={`${id}-p`} className="flex flex-col gap-1 text-xs font-medium text-slate-700">
          Password or token
          <input
            id={`${id}-p`}
            name="password"
            type="password"
            autoComplete="off"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            className="w-56 rounded border border-slate-300 px-2 py-1 text-sm font-normal text-slate-900 focus:border-indigo-500 focus:outline-2 focus:outline-indigo-500/40"
          />
        </label>
        <button
          type="submit"
          className="rounded bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
        >
          Log in
        </button>
      </div>
      <p className="mt-2 text-xs text-slate-600">
        Credentials stay in this tab's memory only: never saved to disk, storage or the URL, and sent only through the Layerscope proxy
        to {registry}. Reloading the tab forgets them.
      </p>
    </form>
  );
}
