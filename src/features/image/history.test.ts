import { describe, expect, it } from "vitest";
import { cleanCreatedBy, httpUrl } from "./history";

describe("cleanCreatedBy", () => {
  const cases: [input: string, want: string][] = [
    ['/bin/sh -c #(nop)  CMD ["nginx" "-g" "daemon off;"]', 'CMD ["nginx" "-g" "daemon off;"]'],
    ["/bin/sh -c #(nop) ADD file:abc in / ", "ADD file:abc in /"],
    ["/bin/sh -c apt-get update", "/bin/sh -c apt-get update"],
    ["RUN /bin/sh -c apk add curl # buildkit", "RUN /bin/sh -c apk add curl # buildkit"],
    ["", ""],
  ];
  it.each(cases)("%j", (input, want) => expect(cleanCreatedBy(input)).toBe(want));
});

describe("httpUrl (SECURITY U1: only http/https labels become links)", () => {
  const cases: [input: string, link: boolean][] = [
    ["https://github.com/nginx/docker-nginx", true],
    ["http://example.com", true],
    ["  https://example.com/x  ", true],
    ["HTTPS://EXAMPLE.COM", true],
    ["javascript:alert(1)", false],
    ["JavaScript:alert(1)", false],
    [" javascript:alert(1)", false],
    ["\u0000javascript:alert(1)", false],
    ["data:text/html,<script>alert(1)</script>", false],
    ["vbscript:msgbox", false],
    ["file:///etc/passwd", false],
    ["//evil.example", false],
    ["http:evil.example", false],
    ["example.com", false],
    ["", false],
    ["https://", false],
  ];
  it.each(cases)("%j → link %s", (input, link) => {
    const url = httpUrl(input);
    expect(url !== undefined).toBe(link);
    if (url) expect(["http:", "https:"]).toContain(url.protocol);
  });
});
