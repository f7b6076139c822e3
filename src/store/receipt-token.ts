import { randomInt } from "node:crypto";

/** A fresh token per receive, so a receipt handle from an earlier receive no longer matches. */
export function newReceiptToken(): number {
  return randomInt(1, 2 ** 31 - 1);
}
