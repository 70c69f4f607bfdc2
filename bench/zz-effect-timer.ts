// temporary: wraps ORDER_CREATED_EFFECTS and the inbox to time them
import { ORDER_CREATED_EFFECTS } from "~/services/orders/order-created.server";
const names = ["markRewardsUsed", "earnPoints", "vip", "referral", "giftCardForget"];
const t = new Map<string, number>();
ORDER_CREATED_EFFECTS.forEach((fn, i) => {
  ORDER_CREATED_EFFECTS[i] = async (db, o) => { const s = performance.now(); try { await fn(db, o); } finally { t.set(names[i], (t.get(names[i]) ?? 0) + performance.now() - s); } };
});
process.on("exit", () => { for (const [k, v] of t) console.log(k.padEnd(16), (v / 2000).toFixed(3), "ms/delivery"); });
