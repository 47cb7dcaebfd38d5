/**
 * The local warehouse: PGlite (Postgres compiled to WebAssembly, in this process) holding the same
 * table as Redshift, created by the same `sql/` file, loaded from the same CSV, and the model trained
 * on the rows of CREATE MODEL's own query (read from `sql/`), installed as Redshift ML's two functions.
 *
 * With a cache folder, the database files and a fingerprint of what built them are kept there, so the
 * next start reopens them (about a second) instead of loading and training again.
 */
import { PGlite } from '@electric-sql/pglite';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { FEATURES, LoanApplication, TABLE_COLUMN_NAMES, TARGET, TIMESTAMP, TRAINING_CUTOFF } from '../../lambda-src/features';
import { SETUP_SQL_DIRECTORY } from '../../sql';
import { SQL_IDENTIFIER } from '../../lambda-src/sql';
import { rocAuc } from '../dataset/auc';
import { successScore } from '../dataset/latent-model';
import { columnDefinitions, tableColumnList, trainingColumnList } from '../warehouse/placeholders';
import { fragment, identifier, loadSetupFiles, Placeholders, render, stringLiteral } from '../warehouse/sql-template';
import { LocalSetupError } from './errors';
import { fitModel, FittedModel, LabeledApplication } from './model';
import { modelFunctionStatements } from './model-sql';


export interface WarehouseNames {
  readonly schema: string;
  readonly table: string;
  readonly predictionFunction: string;
}

export interface TrainingSummary {
  readonly rows: number;
  readonly trainingRows: number;
  readonly holdoutRows: number;
  /** AUC of the installed SQL functions on the holdout rows (NaN without both outcomes there). */
  readonly holdoutAuc: number;
  /** AUC of the dataset generator's true probabilities on the same rows: the best any model can reach. */
  readonly bestPossibleAuc: number;
  readonly trainMs: number;
}

export interface LocalWarehouseOptions {
  readonly dataFile: string;
  readonly names: WarehouseNames;
  /** Keeps the database and the model here between runs; undefined keeps everything in memory. */
  readonly cacheDir?: string;
  readonly onProgress?: (message: string) => void;
}

export interface LocalWarehouse {
  readonly db: PGlite;
  readonly summary: TrainingSummary;
  /** The model installed as the SQL functions. */
  readonly model: FittedModel;
  /** Closes the database and releases the cache folder. */
  close(): Promise<void>;
  readonly fromCache: boolean;
}

/** Bump when the table, the load or the model changes in a way the fingerprint cannot see. */
const BUILD_VERSION = 3;

const qualified = (names: WarehouseNames, name: string): string => `"${names.schema}"."${name}"`;

function placeholders(names: WarehouseNames): Placeholders {
  return {
    schema: identifier(names.schema, SQL_IDENTIFIER),
    table: identifier(names.table, SQL_IDENTIFIER),
    column_definitions: fragment(columnDefinitions()),
    columns: fragment(tableColumnList()),
    training_columns: fragment(trainingColumnList()),
    timestamp_column: identifier(TIMESTAMP.name, SQL_IDENTIFIER),
    training_cutoff: stringLiteral(TRAINING_CUTOFF, /^\d{4}-\d{2}-\d{2}$/),
  };
}

/** The reviewed setup statements of `sql/`, rendered for the local database. */
function setupSql(names: WarehouseNames): { createTable: string[]; trainingQuery: string } {
  const statements = loadSetupFiles(SETUP_SQL_DIRECTORY).flatMap((file) => file.statements.map((s) => s.template));
  const values = placeholders(names);
  const createTable = statements.filter((s) => /^CREATE (SCHEMA|TABLE)\b/i.test(s)).map((s) => render(s, values));
  // CREATE MODEL <name> FROM (<training query>) TARGET ...: the local model trains on the same rows.
  const createModel = statements.find((s) => /^CREATE MODEL\b/i.test(s));
  const query = createModel && /\bFROM\s*\(([\s\S]+)\)\s*TARGET\b/i.exec(createModel)?.[1];
  if (createTable.length === 0 || !query) throw new Error(`${SETUP_SQL_DIRECTORY}: no CREATE TABLE or CREATE MODEL ... FROM (query) found`);
  return { createTable, trainingQuery: render(query.trim(), values) };
}

function readDataFile(file: string): Buffer {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (error) {
    throw new LocalSetupError(`cannot read the data file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const header = data.subarray(0, Math.max(0, data.indexOf(0x0a))).toString('utf8').replace(/\r$/, '');
  if (header !== TABLE_COLUMN_NAMES.join(',')) {
    throw new LocalSetupError(
      `the data file ${file} is not a loan-remediation CSV: its first line must be ${TABLE_COLUMN_NAMES.join(',')}`,
    );
  }
  return data;
}

/** Rows as the database returns them (DECIMAL as text) to applications. */
function toApplication(row: Record<string, unknown>): LoanApplication {
  return Object.fromEntries(
    FEATURES.map((f) => [f.name, f.kind === 'category' ? String(row[f.name]) : Number(row[f.name])]),
  ) as LoanApplication;
}

/** Creates the table (from `sql/`) and loads the CSV into it; returns the rows loaded. */
export async function loadCsv(db: PGlite, names: WarehouseNames, file: string, data: Buffer = readDataFile(file)): Promise<number> {
  const { createTable } = setupSql(names);
  for (const statement of createTable) await db.exec(statement);
  try {
    // Postgres reads the booleans true/false as well as the original sample's True/False.
    const result = await db.query(
      `COPY ${qualified(names, names.table)} (${tableColumnList()}) FROM '/dev/blob' WITH (FORMAT csv, HEADER true)`,
      [],
      { blob: new Blob([new Uint8Array(data)]) },
    );
    return result.affectedRows ?? 0;
  } catch (error) {
    const { message, where } = error as { message?: string; where?: string };
    throw new LocalSetupError(`the data file ${file} does not load: ${message}${where ? ` (${where})` : ''}`);
  }
}

async function train(db: PGlite, names: WarehouseNames): Promise<{ model: FittedModel; trainingRows: number; trainMs: number }> {
  const { trainingQuery } = setupSql(names);
  const { rows } = await db.query<Record<string, unknown>>(trainingQuery);
  const labeled: LabeledApplication[] = rows.map((row) => ({ application: toApplication(row), successful: row[TARGET.name] === true }));
  const startedAt = performance.now();
  let model: FittedModel;
  try {
    model = fitModel(labeled);
  } catch (error) {
    throw new LocalSetupError(`cannot train on the rows before ${TRAINING_CUTOFF}: ${(error as Error).message}`);
  }
  const trainMs = performance.now() - startedAt;
  for (const statement of modelFunctionStatements(model, `${names.schema}.${names.predictionFunction}`)) await db.exec(statement);
  return { model, trainingRows: rows.length, trainMs };
}

/** Scores the holdout (every row the training query leaves out) with the installed SQL function. */
async function holdoutAuc(db: PGlite, names: WarehouseNames): Promise<{ rows: number; auc: number; best: number }> {
  const { trainingQuery } = setupSql(names);
  const features = FEATURES.map((f) => `h.${f.name}`).join(', ');
  const { rows } = await db.query<Record<string, unknown> & { probabilities: { probabilities: number[] } }>(
    `SELECT h.*, ${qualified(names, `${names.predictionFunction}_probabilities`)}(${features}) AS probabilities
     FROM (SELECT ${trainingColumnList()} FROM ${qualified(names, names.table)} EXCEPT ALL (${trainingQuery})) AS h`,
  );
  const outcomes = rows.map((row) => row[TARGET.name] === true);
  return {
    rows: rows.length,
    auc: rocAuc(rows.map((row) => row.probabilities.probabilities[0]), outcomes),
    // The latent score ranks rows exactly as the true probabilities do, whatever the file's noise.
    best: rocAuc(rows.map((row) => successScore(toApplication(row))), outcomes),
  };
}

function fingerprint(data: Buffer, names: WarehouseNames): string {
  const { createTable, trainingQuery } = setupSql(names);
  return createHash('sha256')
    .update(JSON.stringify({ BUILD_VERSION, names, createTable, trainingQuery }))
    .update(data)
    .digest('hex');
}

interface CacheRecord {
  readonly fingerprint: string;
  readonly summary: TrainingSummary;
  readonly model: FittedModel;
}

/**
 * Claims the cache folder for this process: a database folder opened by two processes at once would
 * be corrupted. A lock left by a process that is gone is taken over. Returns the release function.
 */
function lockCacheDir(cacheDir: string): () => void {
  fs.mkdirSync(cacheDir, { recursive: true });
  const lockFile = path.join(cacheDir, 'lock');
  for (;;) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(fs.readFileSync(lockFile, 'utf8'));
    let alive = false;
    try {
      alive = Number.isInteger(holder) && holder > 0 && process.kill(holder, 0);
    } catch (error) {
      alive = (error as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (alive) {
      throw new LocalSetupError(`another local server (process ${holder}) is using ${path.relative(process.cwd(), cacheDir) || cacheDir}: stop it first`);
    }
    fs.rmSync(lockFile, { force: true });
  }
}

/** Opens the local warehouse: from the cache when it was built from the same file and SQL, else built anew. */
export async function openLocalWarehouse(options: LocalWarehouseOptions): Promise<LocalWarehouse> {
  const release = options.cacheDir ? lockCacheDir(options.cacheDir) : () => undefined;
  try {
    const warehouse = await open(options);
    return {
      ...warehouse,
      close: async () => {
        await warehouse.db.close();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

async function open(options: LocalWarehouseOptions): Promise<Omit<LocalWarehouse, 'close'>> {
  const { dataFile, names, cacheDir } = options;
  const progress = options.onProgress ?? (() => undefined);
  const data = readDataFile(dataFile);
  const print = fingerprint(data, names);
  const dataDir = cacheDir && path.join(cacheDir, 'pgdata');
  const recordFile = cacheDir && path.join(cacheDir, 'warehouse.json');

  if (dataDir && recordFile && fs.existsSync(recordFile) && fs.existsSync(dataDir)) {
    const record = JSON.parse(fs.readFileSync(recordFile, 'utf8')) as CacheRecord;
    if (record.fingerprint === print) {
      progress(`opening the cached database in ${path.relative(process.cwd(), dataDir) || dataDir}`);
      return { db: await PGlite.create({ dataDir }), summary: record.summary, model: record.model, fromCache: true };
    }
  }
  if (dataDir && recordFile) {
    fs.rmSync(recordFile, { force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.mkdirSync(cacheDir, { recursive: true });
  }
  progress('starting the embedded database (PGlite)');
  const db = await PGlite.create(dataDir ? { dataDir } : {});
  try {
    progress(`loading ${path.relative(process.cwd(), dataFile) || dataFile}`);
    const rows = await loadCsv(db, names, dataFile, data);
    progress(`loaded ${rows} rows; training on the rows before ${TRAINING_CUTOFF}`);
    const trained = await train(db, names);
    const holdout = await holdoutAuc(db, names);
    const summary: TrainingSummary = {
      rows,
      trainingRows: trained.trainingRows,
      holdoutRows: holdout.rows,
      holdoutAuc: holdout.auc,
      bestPossibleAuc: holdout.best,
      trainMs: Math.round(trained.trainMs),
    };
    if (recordFile) fs.writeFileSync(recordFile, `${JSON.stringify({ fingerprint: print, summary, model: trained.model } satisfies CacheRecord, null, 2)}\n`);
    return { db, summary, model: trained.model, fromCache: false };
  } catch (error) {
    await db.close();
    throw error;
  }
}
