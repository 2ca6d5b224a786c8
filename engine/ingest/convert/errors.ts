/** Where in the input a conversion problem sits, for the caller's "file, line N: …" report. */
export interface ConvertErrorDetails {
  file: string;
  /** 1-based text line (transcode) or worksheet row number (xlsx). */
  line?: number;
  /** Byte offset of an invalid sequence. */
  offset?: number;
  sheet?: string;
  /** Column letter of an xlsx cell. */
  column?: string;
}

/** A problem with the user's file (not a bug). Messages leave out the file name: callers prefix it. */
export class ConvertInputError extends Error {
  readonly details: ConvertErrorDetails;

  constructor(message: string, details: ConvertErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConvertInputError';
    this.details = details;
  }
}
