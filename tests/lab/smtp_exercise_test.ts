// Chapter 02's "be the SMTP client" exercise, judged on a real lab: each mistake a student makes
// at the keyboard gets the hint that names it, and only the whole dialog passes.
import assert from "node:assert/strict";
import { Lab } from "../../lab/lab.ts";
import { telnet } from "../../lab/telnet.ts";
import { smtpExerciseProblem } from "../../lab/smtp_exercise.ts";

const task = { from: "alice@crepes.fr", to: "bob@hamburger.edu", text: "Crepes are better." };
const RIGHT = [
  "HELO crepes.fr",
  "MAIL FROM: <alice@crepes.fr>",
  "RCPT TO: <bob@hamburger.edu>",
  "DATA",
  task.text,
  ".",
  "QUIT",
];

Deno.test("the SMTP exercise names the first mistake in a typed dialog", async (t) => {
  await using lab = await Lab.start({
    freePorts: true,
    storage: "memory",
    passwordIterations: 1000,
  });
  const mx = lab.server("hamburger.edu");
  const attempt = async (lines: string[]) => {
    const before = (await mx.store.list("bob", "INBOX")).length;
    const dialog = await telnet(lines, { port: mx.ports.smtp, timeoutMs: 2000 });
    const arrived = (await mx.store.list("bob", "INBOX")).slice(before);
    const stored = arrived[0] && await mx.store.read("bob", "INBOX", arrived[0].uid);
    return smtpExerciseProblem(dialog, stored, task)?.en;
  };
  const without = (line: string) => RIGHT.filter((l) => l !== line);
  const cases: [string, string[], RegExp | undefined][] = [
    ["the whole dialog", RIGHT, undefined],
    ["no greeting", without("HELO crepes.fr"), /greeting the server/],
    [
      "a forged sender",
      RIGHT.map((l) => l.replace("alice@crepes.fr", "ceo@bank.example")),
      /sender/,
    ],
    ["the wrong recipient", RIGHT.map((l) => l.replace("bob@", "carol@")), /recipient/],
    ["no final dot", without("."), /still waiting .*354.*"\."/],
    ["the wrong text", RIGHT.map((l) => l === task.text ? "Hamburgers win." : l), /exactly/],
    ["no QUIT", without("QUIT"), /QUIT/],
    ["a typo in MAIL", RIGHT.map((l) => l.replace("MAIL FROM: <", "MAIL FROM <")), /50[13]|sender/],
  ];
  for (const [name, lines, hint] of cases) {
    await t.step(name, async () => {
      const problem = await attempt(lines);
      if (hint) assert.match(problem ?? "(passed)", hint);
      else assert.equal(problem, undefined);
    });
  }
});
