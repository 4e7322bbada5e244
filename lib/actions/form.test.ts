import { describe, expect, it } from "vitest";
import { formFields } from "./form";

describe("formFields", () => {
  it("reads a form's string fields and leaves files out", () => {
    const form = new FormData();
    form.set("name", "prod-eu-1");
    form.set("upload", new Blob(["x"]), "x.txt");
    expect(formFields(form)).toEqual({ name: "prod-eu-1" });
  });

  it.each([[undefined], [null], [42], ["text"], [[1, 2]], [{ name: "x" }]])("reads %j, which is no form, as no fields instead of throwing", (body) => {
    expect(formFields(body)).toEqual({});
  });
});
