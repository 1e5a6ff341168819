import type { DatabaseSync, StatementSync } from 'node:sqlite'

/** Prepared statements of one database, prepared once each by their SQL text and reused. */
export class Statements {
  private readonly prepared = new Map<string, StatementSync>()

  constructor (private readonly db: DatabaseSync) {}

  get (text: string): StatementSync {
    let statement = this.prepared.get(text)
    if (statement == null) {
      statement = this.db.prepare(text)
      this.prepared.set(text, statement)
    }
    return statement
  }
}
