// Prisma CLI configuration (Prisma 7). DATABASE_URL selects the database: `postgresql://…` →
// PostgreSQL (prisma/postgresql/…), anything else (default `file:./dev.sqlite`) → SQLite
// (prisma/schema.prisma, prisma/migrations). Prisma 7 removed `engine: "js"` and the config's
// `adapter` (prisma/orm#28499): its migrate commands need the Rust schema engine binary, which
// cannot be downloaded here — scripts/prisma.mjs runs `migrate`/`db` through the Prisma 6.19 CLI
// and prisma.migrate.config.ts instead (docs/decisions/002-prisma-js-engine.md).
import type { PrismaConfig } from "prisma";

const url = process.env.DATABASE_URL ?? "file:./dev.sqlite";
const postgres = /^postgres(ql)?:\/\//.test(url);

export default {
  schema: postgres ? "prisma/postgresql/schema.prisma" : "prisma/schema.prisma",
  migrations: { path: postgres ? "prisma/postgresql/migrations" : "prisma/migrations" },
  datasource: { url },
} satisfies PrismaConfig;
