import { describe, expect, it } from "vitest";
import { describeDatabase, dialectOf } from "./dialect";

describe("DATABASE_URL", () => {
  it("names PostgreSQL by its scheme and SQLite otherwise", () => {
    expect(dialectOf("postgres://u:p@db:5432/fleetline")).toBe("postgres");
    expect(dialectOf(" postgresql://db/fleetline")).toBe("postgres");
    expect(dialectOf("./data/fleetline.db")).toBe("sqlite");
    expect(dialectOf("file:/var/lib/fleetline/fleetline.db")).toBe("sqlite");
    expect(dialectOf("/data/postgres://not-a-url.db")).toBe("sqlite");
  });

  it("is logged without its password", () => {
    const said = describeDatabase("postgres://fleetline:s3cret-Pa55@db.internal:5432/fleetline?sslmode=require&password=other");
    expect(said).toBe("postgres://fleetline@db.internal:5432/fleetline");
    expect(said).not.toContain("s3cret");
    expect(describeDatabase("./data/fleetline.db")).toBe("./data/fleetline.db");
  });
});
