/**
 * The report formats, without any Node module: the contract (and so the
 * renderer's Export menu) lists them from here, and engine/report/export.ts
 * writes them.
 */
export const EXPORT_FORMATS = ['summary', 'xlsx', 'csv', 'csv-excel', 'narrative-md', 'narrative-html', 'evidence'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportFormatInfo {
  /** What a person picks in a menu. */
  label: string;
  /** One line on what the file holds. */
  description: string;
  /** The file name's ending, with its dot. */
  extension: string;
}

export const EXPORT_FORMAT_INFO: Record<ExportFormat, ExportFormatInfo> = {
  summary: { label: 'Summary', description: 'Counts, checks, the quality gate, breaks by reason and field, largest differences (text).', extension: '-summary.txt' },
  xlsx: { label: 'Detailed workbook (XLSX)', description: 'A summary sheet and every break with values, delta, reason, confidence and decision.', extension: '.xlsx' },
  'csv-excel': { label: 'CSV for Excel', description: "Every break: UTF-8 with BOM, this locale's delimiter.", extension: '-excel.csv' },
  csv: { label: 'CSV for programs', description: 'Every break: UTF-8, no BOM, comma.', extension: '.csv' },
  'narrative-md': { label: 'Narrative (Markdown)', description: 'The run in plain words, each claim linked to its break ids.', extension: '-narrative.md' },
  'narrative-html': { label: 'Narrative (HTML)', description: 'The same narrative as a standalone web page.', extension: '-narrative.html' },
  evidence: { label: 'Evidence pack', description: 'Signed JSON: input hashes, definition, model, counts, checks and the audit chain head.', extension: '-evidence.json' },
};
