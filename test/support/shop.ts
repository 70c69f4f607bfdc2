// Puts a shop in the state "the app is installed": an offline session (what token exchange stores)
// and the Shop row, straight in the test database.
import db from "~/db.server";
import { TEST_APP } from "./constants";

export async function installShop(shop: string = TEST_APP.shop, accessToken = `shpat_test_${shop.split(".")[0]}`) {
  await db.session.upsert({
    where: { id: `offline_${shop}` },
    create: { id: `offline_${shop}`, shop, state: "", isOnline: false, scope: TEST_APP.scopes, accessToken },
    update: { accessToken, scope: TEST_APP.scopes },
  });
  await db.shop.upsert({ where: { domain: shop }, create: { domain: shop }, update: { uninstalledAt: null } });
  return { shop, accessToken };
}
