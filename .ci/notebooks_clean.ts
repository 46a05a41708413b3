// Notebooks are committed without outputs (notebooks/NOTEBOOKS.md): outputs hold ports and times that
// change every run, may be incomplete, and would give away the answers.
let dirty = 0;
for await (const entry of Deno.readDir("notebooks")) {
  if (!entry.name.endsWith(".ipynb")) continue;
  const path = `notebooks/${entry.name}`;
  const notebook = JSON.parse(await Deno.readTextFile(path));
  const cells = (notebook.cells ?? []) as {
    cell_type: string;
    outputs?: unknown[];
    execution_count?: number | null;
  }[];
  const bad = cells.filter((c) =>
    c.cell_type === "code" && ((c.outputs?.length ?? 0) > 0 || c.execution_count != null)
  );
  if (notebook.metadata?.kernelspec?.name !== "deno") {
    console.error(`${path}: kernelspec name must be "deno"`);
    dirty++;
  }
  if (bad.length > 0) {
    console.error(
      `${path}: ${bad.length} code cells have outputs; run: jupyter nbconvert --clear-output --inplace ${path}`,
    );
    dirty++;
  }
}
if (dirty > 0) Deno.exit(1);
console.log("notebooks are committed without outputs");
