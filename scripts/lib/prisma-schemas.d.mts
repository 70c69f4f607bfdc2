export declare const HEADER: string;
export declare function postgresSchemaFrom(sqliteSchema: string): string;
export declare function syncPostgresSchema(root: string): void;
export declare function loadDotEnv(root: string, file?: string): void;
export declare function isPostgresUrl(url: string | undefined): boolean;
export declare const MIGRATE_SCHEMA_DIR: string;
export declare function migrateSchemaFrom(schema: string): string;
export declare function writeIfChanged(target: string, wanted: string): void;
export declare function syncMigrateSchemas(root: string): void;
