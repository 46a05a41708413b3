// A class's result records gathered by the teacher's task: `deno task results DIR`.
import assert from "node:assert/strict";
import { Checks } from "../../lab/checks.ts";

Deno.test("deno task results gathers the notebooks' records into CSV and HTML", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const hint = { en: "hint", ko: "힌트" };
    for (const [student, guess] of [["minji", 220], ["jun", 250]] as const) {
      const checks = new Checks();
      checks.predict("first reply code", guess, 220, hint);
      checks.exercise("your dialog delivered a message", student === "minji", hint);
      await checks.run("the course's dialog delivers", () => {}, hint);
      await checks.save("02_smtp", { dir, student });
    }
    await Deno.writeTextFile(`${dir}/notes.json`, "not a record");
    const task = await new Deno.Command(Deno.execPath(), {
      args: ["task", "results", dir],
      cwd: new URL("../../", import.meta.url).pathname,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(task.code, 0, new TextDecoder().decode(task.stderr));
    const csv = await Deno.readTextFile(`${dir}/results.csv`);
    assert.deepEqual(csv.trimEnd().split("\r\n"), [
      "student,notebook,predictions,exercises,checks,not yet",
      "jun,02_smtp,0/1,0/1,1/1,first reply code; your dialog delivered a message",
      "minji,02_smtp,1/1,1/1,1/1,",
    ]);
    assert.match(
      await Deno.readTextFile(`${dir}/results.html`),
      /<td>minji<\/td><td>02_smtp<\/td>/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
