import { expect, test } from "@playwright/test";

// The release build writes brotli and gzip copies of the site's files; the server sends the one
// the browser asks for, and the plain file to a client that asks for none.
for (const file of ["/pkg/helpdesk.wasm", "/pkg/helpdesk.js", "/pkg/helpdesk.css"]) {
  test(`${file} is sent precompressed as asked`, async ({ request }) => {
    const plain = await request.get(file, { headers: { "Accept-Encoding": "identity" } });
    expect(plain.status()).toBe(200);
    expect(plain.headers()["content-encoding"]).toBeUndefined();
    const size = Number(plain.headers()["content-length"]);
    for (const encoding of ["br", "gzip"]) {
      const packed = await request.get(file, { headers: { "Accept-Encoding": encoding } });
      expect(packed.status()).toBe(200);
      expect(packed.headers()["content-encoding"]).toBe(encoding);
      expect(Number(packed.headers()["content-length"])).toBeLessThan(size / 2);
    }
  });
}
