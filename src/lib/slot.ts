/**
 * A tiny external store holding one value, for useSyncExternalStore: lets the effect that owns
 * a resource (a layer-jobs store, created on mount and disposed in the cleanup) publish it to
 * the render that reads it.
 */
export interface Slot<T> {
  get(): T | undefined;
  set(next: T | undefined): void;
  subscribe(onChange: () => void): () => void;
}

export function createSlot<T>(): Slot<T> {
  let value: T | undefined;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set(next) {
      value = next;
      for (const l of [...listeners]) l();
    },
    subscribe(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
  };
}
