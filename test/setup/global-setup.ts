import { dropTemplate, prepareTemplate } from "./databases";

export default async function globalSetup() {
  await prepareTemplate();
  return async () => {
    await dropTemplate();
  };
}
