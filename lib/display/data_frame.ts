/**
 * The table type of the display layer: a nodejs-polars `DataFrame`, re-exported under a local name so the
 * public signatures of figures, tables and `show` document it.
 *
 * @module
 */
import type { DataFrame as PolarsDataFrame } from "nodejs-polars";

/** A polars (nodejs-polars) DataFrame: what the figure factories, tables and `show` read. */
export type DataFrame = PolarsDataFrame;
