import assert from "node:assert/strict";
import { baseSubject } from "./base_subject.ts";

Deno.test("baseSubject strips leaders, blobs, trailers and fwd wrappers (RFC 5256 §2.1)", () => {
  const cases: [string, string][] = [
    ["a", "a"],
    ["", ""],
    ["Re: lunch", "lunch"],
    ["RE:lunch", "lunch"],
    ["Fw: lunch", "lunch"],
    ["re [2]: lunch", "lunch"],
    ["Re: Re: Fwd: lunch", "lunch"],
    ["[foo] Fwd: [bar] Re: fw: b (fWd)  (fwd)", "b"],
    ["Re: [FWD: c]", "c"],
    ["re: [fwd: [fwd: re: [fwd: babylon]]]", "babylon"],
    ["[xyz]", "[xyz]"],
    ["[list] lunch", "lunch"],
    ["[a] [b] lunch", "lunch"],
    ["b (a)", "b (a)"],
    ["Ad: Re: Ad: Re: Ad: x", "Ad: Re: Ad: Re: Ad: x"],
    ["Really: yes", "Really: yes"],
    ["  lunch\t at   noon  ", "lunch at noon"],
    ["=?iso-8859-1?q?_?=", ""],
    ["Re: =?utf-8?q?b?=", "b"],
    ["=?us-ascii?b?UmU6IGM=?=", "c"],
    ["=?UTF-8?B?7JWI64WV?= (fwd)", "안녕"],
  ];
  for (const [subject, base] of cases) assert.equal(baseSubject(subject), base, subject);
});
