// The emulator's HTTP adapter uses the same fetch-handler server as the app (server/fetch-server.mjs).
export { DropConnection, serveFetch } from "../../server/fetch-server.mjs";
export type { RunningServer } from "../../server/fetch-server.mjs";
