// server/fetch-server.mjs (production's and the tests' HTTP server): a response body that fails
// half-way — a CSV export whose query errors, say — ends that response and is reported; it must
// never become an unhandled stream error, which takes the whole process (every shop) down.
import { describe, expect, it } from "vitest";
import { serveFetch } from "../server/fetch-server.mjs";

describe("serveFetch", () => {
  it("GIVEN a streamed body that errors after its first chunk THEN the download is cut, onError gets the error, and the server keeps serving", async () => {
    const reported: unknown[] = [];
    const server = await serveFetch(
      async (request) => {
        if (new URL(request.url).pathname === "/ok") return new Response("fine");
        let sent = false;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (!sent) {
              sent = true;
              controller.enqueue(new TextEncoder().encode("first line\n"));
              return;
            }
            controller.error(new Error("the export's query failed"));
          },
        });
        return new Response(body, { headers: { "content-type": "text/csv" } });
      },
      { onError: (error) => reported.push(error) },
    );
    try {
      // The connection is cut (before or after the headers, as the socket's buffering goes), so the
      // client never takes a silently short file for a complete one.
      const outcome = await fetch(`${server.url}/export`).then((r) => r.text()).then(() => "complete", () => "cut");
      expect(outcome).toBe("cut");
      await expect.poll(() => reported.length).toBe(1);
      expect(String(reported[0])).toContain("the export's query failed");
      const ok = await fetch(`${server.url}/ok`);
      expect(await ok.text()).toBe("fine");
    } finally {
      await server.close();
    }
  });
});
