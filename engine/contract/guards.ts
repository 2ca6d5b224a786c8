/** Exhaustiveness helper for `switch` over unions, for code on both sides of the contract. */
export function missingCase(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
