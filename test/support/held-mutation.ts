// An Admin API for tests whose given mutation is sent and then held back until the test lets it
// through: a Shopify call slowed down past a lease, deterministically (no timing).

type Graphql = (query: string, options?: never) => Promise<unknown>;

/**
 * Wraps `adminGraphql` (the emulator fixture's): `held` resolves once the mutation named
 * `mutation` has been reached, and it goes on to Shopify only after `release()`.
 */
export function holdMutation<G extends Graphql>(adminGraphql: (shop: string) => Promise<G>, mutation = "storeCreditAccountCredit") {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let reached!: () => void;
  const held = new Promise<void>((resolve) => (reached = resolve));
  const adminFor = async (shop: string): Promise<G> => {
    const graphql = await adminGraphql(shop);
    const slowed = (async (query: string, options?: never) => {
      if (query.includes(`${mutation}(`)) {
        reached();
        await gate;
      }
      return graphql(query, options);
    }) as G;
    return slowed;
  };
  return { adminFor, held, release };
}
