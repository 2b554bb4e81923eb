// The embedded PostgreSQL (PGlite over pglite-socket) used by `npm start` without DATABASE_URL:
// several pools at once (Prisma, Agenda, the sender) must not corrupt each other's queries.
import { describe, expect, it } from "vitest";
import pg from "pg";
import { startEmbeddedPostgres } from "../services/db";

describe("embedded PostgreSQL", () => {
  it("runs 200 concurrent parameterised queries and transactions from two pools without mixing them", async () => {
    const h = await startEmbeddedPostgres("memory://");
    const pools = [new pg.Pool({ connectionString: h.url, max: 5 }), new pg.Pool({ connectionString: h.url, max: 5 })];
    try {
      await pools[0]!.query("CREATE TABLE t (id serial PRIMARY KEY, a int, b text)");
      const errors: string[] = [];
      let inserted = 0;
      await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          const p = pools[i % 2]!;
          try {
            if (i % 3 === 0) {
              await p.query("INSERT INTO t (a, b) VALUES ($1, $2)", [i, `x${i}`]);
              inserted++;
            } else if (i % 3 === 1) {
              const r = await p.query("SELECT a, b FROM t WHERE a = $1 AND b = $2 AND id > $3", [i, "none", 0]);
              expect(r.rows).toEqual([]);
            } else {
              const c = await p.connect();
              try {
                await c.query("BEGIN");
                await c.query("INSERT INTO t (a, b) VALUES ($1, $2)", [i, "tx"]);
                await c.query("COMMIT");
                inserted++;
              } finally {
                c.release();
              }
            }
          } catch (err) {
            errors.push((err as Error).message);
          }
        }),
      );
      expect(errors).toEqual([]);
      const count = await pools[1]!.query<{ n: number }>("SELECT count(*)::int AS n FROM t");
      expect(count.rows[0]!.n).toBe(inserted);
      expect(inserted).toBe(133);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
      await h.close();
    }
  });
});
