// server/fetch-server.mjs (production's and the tests' HTTP server): a response body that fails
// half-way — a CSV export whose query errors, say — ends that response and is reported; it must
// never become an unhandled stream error, which takes the whole process (every shop) down.
import net from "node:net";
import { describe, expect, it } from "vitest";
import { REQUEST_TIMEOUT_MS, serveFetch } from "../server/fetch-server.mjs";

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

  it("GIVEN a sender that trickles its body in THEN the request is ended after the server's request time (408), not Node's five minutes; a prompt request is served", async () => {
    expect(REQUEST_TIMEOUT_MS).toBeLessThanOrEqual(30_000);
    let bodiesRead = 0;
    const server = await serveFetch(
      async (request) => {
        await request.arrayBuffer();
        bodiesRead++;
        return new Response("read");
      },
      { requestTimeoutMs: 400 },
    );
    try {
      const { port, hostname } = new URL(server.url);
      let received = "";
      const socket = net.connect(Number(port), hostname, () => {
        socket.write(["POST /webhooks/orders/create HTTP/1.1", `Host: ${hostname}:${port}`, "Content-Type: application/json", "Content-Length: 1000", "", "{"].join("\r\n"));
      });
      socket.on("data", (data) => (received += data.toString("latin1")));
      socket.on("error", () => undefined);
      // No more bytes are sent: the server gives up on the request by itself.
      await expect.poll(() => received, { timeout: 20_000, interval: 100 }).toMatch(/^HTTP\/1\.1 408/);
      socket.destroy();
      expect(bodiesRead).toBe(0);
      const prompt = await fetch(`${server.url}/x`, { method: "POST", body: "{}" });
      expect(await prompt.text()).toBe("read");
    } finally {
      await server.close();
    }
  });
});
