// Loads Shopify's real Admin GraphQL schema (the introspection shipped inside @shopify/dev-mcp) so the
// emulator validates documents exactly like the platform does: a field the app misspells, or a field
// that exists only in another API version, fails here just as it would against a real shop.
//
// The file is read from node_modules on demand and never copied into the repo. @shopify/dev-mcp's
// package "exports" hide its package.json and data folder from the module resolver, so we find
// node_modules by walking up from this file and build the path by hand.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import {
  buildClientSchema,
  GraphQLError,
  GraphQLScalarType,
  Kind,
  type GraphQLSchema,
  type IntrospectionQuery,
  type ValueNode,
} from "graphql";

/** The API version the emulator is built for; other versions fall back to it (see resolveSchemaVersion). */
export const DEFAULT_API_VERSION = "2026-10";

const DATA_DIR = path.join("@shopify", "dev-mcp", "dist", "data");

/** One entry of the "requiredAccess" table that ships next to the introspection. */
export interface RequiredAccessEntry {
  typeName: string;
  fieldName?: string;
  requiredAccess: string;
  offlineScopes: string[];
}

export interface LoadedSchema {
  /** The API version this schema describes, e.g. "2026-10" or "unstable". */
  version: string;
  schema: GraphQLSchema;
  /** requiredAccess text and scopes per "Type.field" (root fields) and per type name. */
  access: ReadonlyMap<string, RequiredAccessEntry>;
}

interface SchemaFile {
  data: IntrospectionQuery;
  offline_scopes?: { items: Array<RequiredAccessEntry & { type: "type" | "field" }> };
}

const cache = new Map<string, LoadedSchema>();

/** Walks up from this module until a node_modules containing @shopify/dev-mcp's data folder is found. */
export function findSchemaDataDir(startDir: string = import.meta.dirname): string {
  let dir = startDir;
  for (;;) {
    const candidate = path.join(dir, "node_modules", DATA_DIR);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(
        `Cannot find node_modules/${DATA_DIR} above ${startDir}; is @shopify/dev-mcp installed (devDependency)?`,
      );
    }
    dir = parent;
  }
}

let dataDir: string | undefined;
const fileByVersion = new Map<string, string | undefined>();

/** Path of the gzipped introspection for an Admin API version, or undefined when not shipped. */
export function schemaFilePath(version: string): string | undefined {
  if (!fileByVersion.has(version)) {
    dataDir ??= findSchemaDataDir();
    const file = path.join(dataDir, `admin_${version}.json.gz`);
    fileByVersion.set(version, existsSync(file) ? file : undefined);
  }
  return fileByVersion.get(version);
}

/** The stable (YYYY-MM) versions whose introspection is shipped, oldest first. */
let stable: string[] | undefined;
function stableVersions(): string[] {
  dataDir ??= findSchemaDataDir();
  return (stable ??= readdirSync(dataDir)
    .map((name) => /^admin_(\d{4}-\d{2})\.json\.gz$/.exec(name)?.[1])
    .filter((v): v is string => v !== undefined)
    .sort());
}

/**
 * The version whose schema serves a request for `requested` (reported in X-Shopify-API-Version).
 * A version older than every one we have is a retired one, and Shopify answers it with "the oldest
 * supported stable version" (https://shopify.dev/docs/api/usage/versioning; Shopify staff: "if you
 * are making requests to an unsupported version then the expected behaviour would be for Shopify to
 * respond with the oldest stable version", https://community.shopify.com/t/164634) — here the oldest
 * introspection shipped. Anything else we have no schema for (a version not yet released) gets
 * DEFAULT_API_VERSION; what Shopify does then is not documented.
 */
export function resolveSchemaVersion(requested: string): string {
  if (/^(\d{4}-\d{2}|unstable)$/.test(requested) && schemaFilePath(requested)) return requested;
  const oldest = stableVersions()[0];
  if (/^\d{4}-\d{2}$/.test(requested) && oldest !== undefined && requested < oldest) return oldest;
  return DEFAULT_API_VERSION;
}

/** Loads (once per process and version) the Admin schema with Shopify-like custom scalar handling. */
export function loadAdminSchema(version: string = DEFAULT_API_VERSION): LoadedSchema {
  const cached = cache.get(version);
  if (cached) return cached;
  const file = schemaFilePath(version);
  if (!file) throw new Error(`No Admin API introspection for version ${version} in @shopify/dev-mcp`);
  const json = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as SchemaFile;
  const schema = buildClientSchema(json.data);
  installScalarBehaviour(schema);
  const access = new Map<string, RequiredAccessEntry>();
  for (const item of json.offline_scopes?.items ?? []) {
    if (!item.requiredAccess && item.offlineScopes.length === 0) continue;
    const key = item.type === "field" ? `${item.typeName}.${item.fieldName ?? ""}` : item.typeName;
    access.set(key, {
      typeName: item.typeName,
      fieldName: item.fieldName,
      requiredAccess: item.requiredAccess,
      offlineScopes: item.offlineScopes,
    });
  }
  const loaded: LoadedSchema = { version, schema, access };
  cache.set(version, loaded);
  return loaded;
}

// ------------------------------------------------------------------------------------------------
// Custom scalars. buildClientSchema gives every custom scalar an identity parse/serialize, which
// would let `startsAt: "tomorrow"` through. Shopify rejects such values during variable coercion,
// so the emulator installs parsers for the scalars this app's mutations use.

/** Shopify prints DateTime without milliseconds: 2026-01-31T12:00:00Z. */
export function formatDateTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

function parseDateTime(value: unknown): Date {
  if (typeof value !== "string" || !ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError(`Could not coerce value ${JSON.stringify(value)} to DateTime`);
  }
  return new Date(value);
}

function parseDate(value: unknown): string {
  if (typeof value !== "string" || !ISO_DATE.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError(`Could not coerce value ${JSON.stringify(value)} to Date`);
  }
  return value;
}

function parseDecimal(value: unknown): string {
  const text = typeof value === "number" && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== "string" || !DECIMAL.test(text.trim())) {
    throw new GraphQLError(`Could not coerce value ${JSON.stringify(value)} to Decimal`);
  }
  return text.trim();
}

function parseUnsignedInt64(value: unknown): string {
  const text = typeof value === "number" && Number.isInteger(value) ? String(value) : value;
  if (typeof text !== "string" || !/^\d+$/.test(text) || BigInt(text) > 18446744073709551615n) {
    throw new GraphQLError(`Could not coerce value ${JSON.stringify(value)} to UnsignedInt64`);
  }
  return text;
}

function literalValue(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
      return node.value;
    case Kind.INT:
      return Number(node.value);
    case Kind.FLOAT:
      return Number(node.value);
    default:
      return undefined;
  }
}

function setScalar(
  schema: GraphQLSchema,
  name: string,
  parse: (value: unknown) => unknown,
  serialize: (value: unknown) => unknown,
): void {
  const type = schema.getType(name);
  if (!(type instanceof GraphQLScalarType)) return;
  // GraphQLScalarType keeps these as plain instance properties; replacing them on the freshly built
  // (and process-private) schema is the supported way to give a client schema real scalars.
  type.parseValue = parse;
  type.parseLiteral = (node, variables) => {
    if (node.kind === Kind.VARIABLE) return parse(variables?.[node.name.value]);
    return parse(literalValue(node));
  };
  type.serialize = serialize;
}

function installScalarBehaviour(schema: GraphQLSchema): void {
  setScalar(schema, "DateTime", parseDateTime, (value) =>
    value instanceof Date ? formatDateTime(value) : String(value),
  );
  setScalar(schema, "Date", parseDate, (value) =>
    value instanceof Date ? formatDateTime(value).slice(0, 10) : String(value),
  );
  setScalar(schema, "Decimal", parseDecimal, (value) => String(value));
  // Shopify serializes UnsignedInt64 as a JSON string ("12"), because it may exceed 2^53.
  setScalar(schema, "UnsignedInt64", parseUnsignedInt64, (value) => String(value));
}
