// Shared setup for the Admin API emulator tests: a store on a manual clock, one shop, a handler,
// and a helper that sends real GraphQL documents as real Request objects.
import { createAdminHandler, type AdminHandler, type AdminHandlerOptions } from "../../src/admin-handler";
import { createManualClock, EmulatorStore, type ManualClock, type ShopSeed } from "../../src/store";

export const SHOP = "loyalty-demo.myshopify.com";
export const TOKEN = "shpat_test_token";
export const API_VERSION = "2026-10";

export interface Harness {
  clock: ManualClock;
  store: EmulatorStore;
  handler: AdminHandler;
}

export function setup(shop: Partial<ShopSeed> = {}, options: AdminHandlerOptions = {}): Harness {
  const clock = createManualClock("2026-11-01T12:00:00Z");
  const store = new EmulatorStore({ now: clock.now });
  store.addShop({ domain: SHOP, accessToken: TOKEN, name: "Loyalty Demo", currencyCode: "EUR", ...shop });
  const handler = createAdminHandler(store, options);
  return { clock, store, handler };
}

export interface GqlOptions {
  shop?: string;
  token?: string | null;
  version?: string;
  operationName?: string;
  signal?: AbortSignal;
}

export function graphqlRequest(query: string, variables?: Record<string, unknown>, options: GqlOptions = {}): Request {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const token = options.token === undefined ? TOKEN : options.token;
  if (token !== null) headers["x-shopify-access-token"] = token;
  return new Request(`https://${options.shop ?? SHOP}/admin/api/${options.version ?? API_VERSION}/graphql.json`, {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables, operationName: options.operationName }),
    signal: options.signal,
  });
}

// Response JSON is read along arbitrary paths and checked by the assertions themselves; typing every
// document's result would add nothing. This alias is the only `any` in the emulator and its tests.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface GraphQLBody {
  data?: Record<string, Json> | null;
  errors?: Array<{ message: string; locations?: unknown; path?: unknown; extensions?: Record<string, Json> }>;
  extensions?: Record<string, Json>;
}

/** Sends a document and returns the HTTP status and the parsed JSON body. */
export async function gql(
  handler: AdminHandler,
  query: string,
  variables?: Record<string, unknown>,
  options: GqlOptions = {},
): Promise<{ status: number; body: GraphQLBody; response: Response }> {
  const response = await handler.handle(graphqlRequest(query, variables, options));
  const body = (await response.clone().json()) as GraphQLBody;
  return { status: response.status, body, response };
}

export const CREATE_BASIC = /* GraphQL */ `
  mutation CreateReward($input: DiscountCodeBasicInput!) {
    discountCodeBasicCreate(basicCodeDiscount: $input) {
      codeDiscountNode {
        id
        codeDiscount {
          __typename
          ... on DiscountCodeBasic {
            title
            status
            startsAt
            endsAt
            usageLimit
            appliesOncePerCustomer
            asyncUsageCount
            codes(first: 5) { nodes { code } }
            codesCount { count }
            context {
              __typename
              ... on DiscountCustomers { customers { id } }
              ... on DiscountBuyerSelectionAll { all }
            }
            customerGets {
              value {
                __typename
                ... on DiscountPercentage { percentage }
                ... on DiscountAmount { amount { amount currencyCode } appliesOnEachItem }
              }
              items { __typename ... on AllDiscountItems { allItems } }
            }
            combinesWith { orderDiscounts productDiscounts shippingDiscounts }
            tags
            createdAt
          }
        }
      }
      userErrors { field code message extraInfo }
    }
  }
`;

export const CREATE_FREE_SHIPPING = /* GraphQL */ `
  mutation CreateFreeShipping($input: DiscountCodeFreeShippingInput!) {
    discountCodeFreeShippingCreate(freeShippingCodeDiscount: $input) {
      codeDiscountNode {
        id
        codeDiscount { __typename ... on DiscountCodeFreeShipping { title status codes(first: 1) { nodes { code } } } }
      }
      userErrors { field code message }
    }
  }
`;

export const BY_CODE = /* GraphQL */ `
  query ByCode($code: String!) {
    codeDiscountNodeByCode(code: $code) {
      id
      codeDiscount {
        __typename
        ... on DiscountCodeBasic { title status endsAt asyncUsageCount codes(first: 1) { nodes { code asyncUsageCount } } }
        ... on DiscountCodeFreeShipping { title status endsAt asyncUsageCount }
      }
    }
  }
`;

/** A valid DiscountCodeBasicInput; override fields per test. */
export function basicInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: "Loyalty reward 10%",
    code: "REWARD-ABC123",
    startsAt: "2026-11-01T00:00:00Z",
    context: { all: "ALL" },
    customerGets: { value: { percentage: 0.1 }, items: { all: true } },
    usageLimit: 1,
    appliesOncePerCustomer: true,
    ...overrides,
  };
}

export async function createBasic(handler: AdminHandler, overrides: Record<string, unknown> = {}) {
  const { body } = await gql(handler, CREATE_BASIC, { input: basicInput(overrides) });
  return body.data?.discountCodeBasicCreate as {
    codeDiscountNode: { id: string; codeDiscount: Record<string, Json> } | null;
    userErrors: Array<{ field: string[] | null; code: string | null; message: string; extraInfo: string | null }>;
  };
}
