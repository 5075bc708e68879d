export { csvColumnMapping } from "./csv.ts";
export {
  acceptedMediaTypes,
  formatOfFileName,
  formatOfMediaType,
  importFormats,
  isImportFormat,
  readImport,
  type ImportFormat,
} from "./formats.ts";
export {
  importItems,
  MAX_REPORTED_ERRORS,
  type ImportItemsInput,
  type ImportProgress,
  type ImportSummary,
} from "./import-items.ts";
export type { ImportRow, ParsedImport, RowError } from "./rows.ts";
