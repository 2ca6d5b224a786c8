/**
 * The exponent form ("9e-4", "1.5E+03") written out as plain digits ("0.0009", "1500"),
 * in DuckDB SQL, before the cast to DECIMAL.
 *
 * Why: DuckDB 1.5's own VARCHAR → DECIMAL cast rounds the exponent form wrongly when the
 * exponent moves the point past more than one dropped digit: '9e-4'::DECIMAL(18, 2) is
 * 0.01 and '5e-06'::DECIMAL(18, 4) is 0.0001, where 0.0009 and 0.000005 round to 0. Going
 * through DOUBLE would round right but lose digits beyond 15–17. Moving the point in
 * the text is exact, and the plain form then takes the same cast as every other number.
 *
 * Only values that hold an "e" pay for it. The grammar (numberSql) has already accepted
 * the text: optional sign, digits with an optional "." fraction, "e", exponent of 1–3 digits.
 */
const PARTS = `'^([+-]?)([0-9]*)(?:\\.([0-9]*))?[eE]([+-]?[0-9]+)$'`;

export function plainExponentSql(t: string): string {
  const part = (i: number): string => `regexp_extract(${t}, ${PARTS}, ${i})`;
  const sign = part(1);
  const digits = `(${part(2)} || ${part(3)})`;
  // Where the point goes, counted in digits from the left of `digits`.
  const point = `(length(${part(2)}) + CAST(${part(4)} AS INTEGER))`;
  const moved =
    `CASE WHEN ${point} <= 0 THEN ${sign} || '0.' || repeat('0', -${point}) || ${digits}` +
    ` WHEN ${point} >= length(${digits}) THEN ${sign} || ${digits} || repeat('0', ${point} - length(${digits}))` +
    ` ELSE ${sign} || left(${digits}, ${point}) || '.' || substr(${digits}, ${point} + 1) END`;
  return `(CASE WHEN contains(${t}, 'e') OR contains(${t}, 'E') THEN ${moved} ELSE ${t} END)`;
}
