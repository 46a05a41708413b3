// The lab's page: the servers, their queues and faults, and every dialog line as it happens.
// The control token comes in the page's address; requests carry it as the CLIs do.
const token = new URLSearchParams(location.search).get("token") ?? "";
const $ = (id) => document.getElementById(id);
const MAX_LINES = 500;

function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

async function call(path, init = {}) {
  const response = await fetch(path, {
    ...init,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
  });
  const data = await response.json();
  if (!response.ok) throw new Error(data.error);
  return data;
}

async function fault(domain, words) {
  await call("/fault", { method: "POST", body: JSON.stringify({ domain, words }) });
  await showState();
}

async function showState() {
  const { servers } = await call("/state");
  const box = $("servers");
  box.replaceChildren();
  for (const server of servers) {
    const card = element("article", undefined, { class: "server", "data-domain": server.domain });
    card.append(element("h2", server.domain));
    const ports = element("table");
    for (const e of server.endpoints) {
      const row = element("tr");
      row.append(
        element("th", `${e.service} (${e.coursePort})`),
        element("td", `${e.host}:${e.port}`),
      );
      ports.append(row);
    }
    card.append(ports);
    card.append(
      element(
        "p",
        `SMTP: ${server.smtpRunning ? "running" : "stopped"} · faults: ${server.faults}`,
        { class: "faults" },
      ),
    );
    const buttons = element("div", undefined, { class: "buttons" });
    for (const words of [["stop"], ["start"], ["451"], ["clear"]]) {
      const b = element("button", `fault ${words.join(" ")}`, { type: "button" });
      b.addEventListener("click", () => fault(server.domain, words));
      buttons.append(b);
    }
    card.append(buttons);
    card.append(element("h3", `Queue · 큐 (${server.queue.length})`));
    const queue = element("ul", undefined, { class: "queue" });
    for (const entry of server.queue) {
      const to = entry.recipients.map((r) => `${r.address} (${r.status})`).join(", ");
      queue.append(
        element("li", `${entry.id}: ${entry.from || "<>"} → ${to}, ${entry.attempts} attempts`),
      );
    }
    card.append(queue);
    box.append(card);
  }
}

function describe(event) {
  const time = new Date(event.at).toISOString().slice(11, 23);
  switch (event.type) {
    case "command":
      return [time, event.domain, `${event.protocol} ${event.remote}`, `C: ${event.text}`, "c"];
    case "reply":
      return [time, event.domain, `${event.protocol} ${event.remote}`, `S: ${event.text}`, "s"];
    case "connection":
      return [time, event.domain, event.protocol, `connection from ${event.remote}`, "note"];
    default:
      return [time, event.domain, event.type, event.said, "note"];
  }
}

function follow() {
  const events = new EventSource(`/events?token=${encodeURIComponent(token)}`);
  events.addEventListener(
    "open",
    () => $("status").textContent = "Live: every connection shows here.",
  );
  events.addEventListener(
    "error",
    () => $("status").textContent = "The lab is not answering (stopped?).",
  );
  let pending;
  events.addEventListener("lab", (message) => {
    const event = JSON.parse(message.data);
    if (!$("pause").checked) {
      const [time, domain, who, text, kind] = describe(event);
      const li = element("li", undefined, { class: kind });
      li.append(
        element("span", time, { class: "time" }),
        element("span", domain, { class: "domain" }),
        element("span", who, { class: "who" }),
        element("code", text),
      );
      $("lines").prepend(li);
      while ($("lines").children.length > MAX_LINES) $("lines").lastChild.remove();
    }
    if (event.type !== "command" && event.type !== "reply") {
      clearTimeout(pending);
      pending = setTimeout(showState, 200);
    }
  });
}

showState().then(follow, (error) => $("status").textContent = error.message);
