/** Where the warehouse SQL lives, for the scripts that run it (scripts/warehouse/). */
import * as path from 'path';

/** Holds the numbered setup files (`001_*.sql`, ...) that `npm run warehouse:setup` runs in order. */
export const SETUP_SQL_DIRECTORY = __dirname;

/** The read-only queries of `npm run model:status`. */
export const STATUS_QUERIES = {
  modelState: path.join(__dirname, 'status', 'model_state.sql'),
  showModel: path.join(__dirname, 'status', 'show_model.sql'),
  explainModel: path.join(__dirname, 'status', 'explain_model.sql'),
} as const;
