import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

/**
 * Computes the SQL that brings a database to the Prisma schema, using Prisma's WebAssembly schema
 * engine (`@prisma/schema-engine-wasm`) through the pg driver adapter, so no native engine
 * download is needed. Used by `npm run db:diff` to author new migrations.
 */
export async function diffMigrationsToSchema(opts: {
  shadowUrl: string;
  schemaPath: string;
  migrations: { name: string; sql: string }[];
  migrationsDir: string;
}): Promise<string> {
  const wasm = (await loadSchemaEngine()) as {
    SchemaEngine: {
      new: (o: { datamodels: [string, string][] }, log: (msg: string) => void, adapter: object) => Promise<{
        diff: (p: object) => Promise<{ exitCode: number; stdout: string | null }>;
        free: () => void;
      }>;
    };
  };
  const content = readFileSync(opts.schemaPath, "utf8");
  // adapter-pg's shadow connection points at the main database; give the engine a dedicated,
  // throwaway shadow database for replaying the migration history.
  const shadow = new PrismaPg({ connectionString: opts.shadowUrl });
  const factory = {
    provider: shadow.provider,
    adapterName: shadow.adapterName,
    connect: () => shadow.connect(),
    connectToShadowDb: () => shadow.connect(),
  };
  patchCharColumns(await shadow.connect());
  const adapter = bindMigrationAwareSqlAdapterFactory(factory as unknown as Parameters<typeof bindMigrationAwareSqlAdapterFactory>[0]);
  const engine = await wasm.SchemaEngine.new({ datamodels: [[opts.schemaPath, content]] }, () => {}, adapter);
  try {
    const res = await engine.diff({
      from: {
        tag: "migrations",
        baseDir: opts.migrationsDir,
        lockfile: { path: join(opts.migrationsDir, "migration_lock.toml"), content: readLockfile(opts.migrationsDir) },
        shadowDbInitScript: "",
        migrationDirectories: opts.migrations.map((m) => ({
          path: join(opts.migrationsDir, m.name),
          migrationFile: { path: "migration.sql", content: { tag: "ok", value: m.sql } },
        })),
      },
      to: { tag: "schemaDatamodel", files: [{ path: opts.schemaPath, content }] },
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    return res.stdout ?? "";
  } finally {
    engine.free();
  }
}

/**
 * The package's entry point imports the .wasm file as an ES module (bundler style), which Node
 * cannot do; instantiate the module ourselves and hand it to the wasm-bindgen glue.
 */
async function loadSchemaEngine(): Promise<unknown> {
  // The engine reports Rust panics through this global before throwing.
  const g = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message: (m: string) => void } };
  g.PRISMA_WASM_PANIC_REGISTRY ??= {
    set_message: (m: string) => {
      console.error(`schema engine panic: ${m}`);
    },
  };
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve("@prisma/schema-engine-wasm"));
  const glue = (await import(join(dir, "schema_engine_bg.js"))) as Record<string, unknown> & { __wbg_set_wasm: (w: unknown) => void };
  const module = new WebAssembly.Module(readFileSync(join(dir, "schema_engine_bg.wasm")));
  const imports: Record<string, Record<string, unknown>> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    imports[imp.module] ??= imp.module.endsWith("_bg.js") ? glue : {};
  }
  const instance = new WebAssembly.Instance(module, imports as WebAssembly.Imports);
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
  return glue;
}

function readLockfile(dir: string): string {
  try {
    return readFileSync(join(dir, "migration_lock.toml"), "utf8");
  } catch {
    return 'provider = "postgresql"\n';
  }
}

type PerformIO = (query: unknown) => Promise<{ fields: { dataTypeID: number }[] }>;
type QueryRaw = (query: unknown) => Promise<{ columnTypes: number[] }>;
const CHAR_OID = 18;
const TEXT_OID = 25;
/** ColumnTypeEnum.Character in @prisma/driver-adapter-utils. */
const COLUMN_TYPE_CHARACTER = 6;

/**
 * Postgres' internal single-byte `"char"` type (OID 18), which catalog queries return, is not
 * mapped by adapter-pg 7.10 and aborts introspection. node-postgres already decodes it as a
 * string: relabel it as text so the adapter accepts it, then report it to the engine as the
 * Character column type it expects. Only used by the migration-authoring CLI.
 */
function patchCharColumns(connection: object): void {
  let proto: object | null = connection;
  while (proto && !Object.hasOwn(proto, "performIO")) proto = Object.getPrototypeOf(proto) as object | null;
  if (!proto) return;
  const target = proto as { performIO: PerformIO; queryRaw: QueryRaw; __charPatched?: boolean };
  if (target.__charPatched) return;
  const performIO = target.performIO;
  const queryRaw = target.queryRaw;
  const charColumns = new WeakMap<object, number[]>();
  target.performIO = async function (this: object, query: unknown) {
    const res = await performIO.call(this, query);
    const idx: number[] = [];
    res.fields.forEach((f, i) => {
      if (f.dataTypeID === CHAR_OID) {
        f.dataTypeID = TEXT_OID;
        idx.push(i);
      }
    });
    charColumns.set(this, idx);
    return res;
  };
  target.queryRaw = async function (this: object, query: unknown) {
    const res = await queryRaw.call(this, query);
    for (const i of charColumns.get(this) ?? []) res.columnTypes[i] = COLUMN_TYPE_CHARACTER;
    return res;
  };
  target.__charPatched = true;
}
