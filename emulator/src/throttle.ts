// Shopify's Admin GraphQL rate limit: a leaky bucket of cost points per (app, shop) pair. A request
// is admitted when its requested cost fits in what is currently available; the requested cost is
// taken out, and after execution the difference to the actual cost is given back. The bucket refills
// at restoreRate points per second, measured on the store's clock so tests can advance time.
import type { RateLimitPlan } from "./store";

export interface BucketLimits {
  /** Bucket size. */
  maximumAvailable: number;
  /** Points restored per second. */
  restoreRate: number;
}

/** Per-plan limits (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits: restore rates documented; bucket = 20 × restore rate). */
export const PLAN_LIMITS: Readonly<Record<RateLimitPlan, BucketLimits>> = {
  Standard: { maximumAvailable: 2000, restoreRate: 100 },
  Advanced: { maximumAvailable: 4000, restoreRate: 200 },
  Plus: { maximumAvailable: 20000, restoreRate: 1000 },
  Enterprise: { maximumAvailable: 40000, restoreRate: 2000 },
};

/** The throttleStatus object of extensions.cost. */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export type ConsumeResult = { ok: true; status: ThrottleStatus } | { ok: false; status: ThrottleStatus };

export interface ThrottleOptions {
  /** Clock shared with the store. */
  now: () => Date;
  /** Limits for a shop that has no explicit configure(); defaults to Standard. */
  limitsFor?: (shop: string) => BucketLimits;
}

interface Bucket {
  available: number;
  updatedAtMs: number;
}

export class ThrottleBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly overrides = new Map<string, BucketLimits>();
  private readonly now: () => Date;
  private readonly limitsFor: (shop: string) => BucketLimits;

  constructor(options: ThrottleOptions) {
    this.now = options.now;
    this.limitsFor = options.limitsFor ?? (() => PLAN_LIMITS.Standard);
  }

  /** Sets a shop's limits (a plan name or explicit numbers); existing buckets keep their level, capped. */
  configure(shop: string, limits: RateLimitPlan | BucketLimits): void {
    this.overrides.set(shop.toLowerCase(), typeof limits === "string" ? PLAN_LIMITS[limits] : { ...limits });
  }

  limits(shop: string): BucketLimits {
    return this.overrides.get(shop.toLowerCase()) ?? this.limitsFor(shop.toLowerCase());
  }

  private key(app: string, shop: string): string {
    return `${app}\u0000${shop.toLowerCase()}`;
  }

  /** The bucket after leaking in the time since it was last touched. */
  private bucket(app: string, shop: string): { bucket: Bucket; limits: BucketLimits } {
    const limits = this.limits(shop);
    const nowMs = this.now().getTime();
    const key = this.key(app, shop);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { available: limits.maximumAvailable, updatedAtMs: nowMs };
      this.buckets.set(key, bucket);
    }
    const elapsed = Math.max(0, nowMs - bucket.updatedAtMs) / 1000;
    bucket.available = Math.min(limits.maximumAvailable, bucket.available + elapsed * limits.restoreRate);
    bucket.updatedAtMs = nowMs;
    return { bucket, limits };
  }

  private statusOf(bucket: Bucket, limits: BucketLimits): ThrottleStatus {
    return {
      maximumAvailable: limits.maximumAvailable,
      // Shopify reports whole points.
      currentlyAvailable: Math.floor(bucket.available),
      restoreRate: limits.restoreRate,
    };
  }

  status(app: string, shop: string): ThrottleStatus {
    const { bucket, limits } = this.bucket(app, shop);
    return this.statusOf(bucket, limits);
  }

  /** Admits the request when `requested` fits; refused requests take nothing out of the bucket. */
  tryConsume(app: string, shop: string, requested: number): ConsumeResult {
    const { bucket, limits } = this.bucket(app, shop);
    if (requested > bucket.available) return { ok: false, status: this.statusOf(bucket, limits) };
    bucket.available -= requested;
    return { ok: true, status: this.statusOf(bucket, limits) };
  }

  /** Gives back points (requested − actual) after execution. */
  refund(app: string, shop: string, points: number): ThrottleStatus {
    const { bucket, limits } = this.bucket(app, shop);
    bucket.available = Math.min(limits.maximumAvailable, bucket.available + Math.max(0, points));
    return this.statusOf(bucket, limits);
  }

  /** Test helper: put the bucket at a given level (e.g. drain it). */
  setAvailable(app: string, shop: string, points: number): ThrottleStatus {
    const { bucket, limits } = this.bucket(app, shop);
    bucket.available = Math.max(0, Math.min(limits.maximumAvailable, points));
    return this.statusOf(bucket, limits);
  }

  /** Refills every bucket and forgets per-shop overrides. */
  reset(options: { keepLimits?: boolean } = {}): void {
    this.buckets.clear();
    if (!options.keepLimits) this.overrides.clear();
  }
}

export const THROTTLED_DOCUMENTATION = "https://shopify.dev/api/usage/rate-limits";

/** The HTTP 200 body Shopify sends when the bucket cannot cover the requested cost. */
export function throttledBody(requestedQueryCost: number, status: ThrottleStatus) {
  return {
    errors: [
      {
        message: "Throttled",
        extensions: { code: "THROTTLED", documentation: THROTTLED_DOCUMENTATION },
      },
    ],
    extensions: {
      cost: { requestedQueryCost, actualQueryCost: null, throttleStatus: status },
    },
  };
}
