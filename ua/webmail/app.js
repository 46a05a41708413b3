// The webmail: a user agent that runs in the browser and talks only to its own mail server's
// HTTP interface (/api). Everything from a message is put on the page as text, never as HTML;
// a message's HTML is shown in a sandboxed frame that the server serves with its own CSP.

const $ = (id) => document.getElementById(id);
const state = {
  me: undefined,
  mailbox: "INBOX",
  uid: undefined,
  message: undefined,
  mailboxes: [],
};

async function api(path, init = {}) {
  const response = await fetch(`/api${path}`, {
    ...init,
    headers: init.body ? { "content-type": "application/json", ...init.headers } : init.headers,
  });
  if (response.status === 204) return undefined;
  const data = await response.json();
  if (!response.ok) throw Object.assign(new Error(data.error), { status: response.status });
  return data;
}
const post = (path, body) => api(path, { method: "POST", body: JSON.stringify(body) });
const messagePath = (uid = state.uid) =>
  `/mailboxes/${encodeURIComponent(state.mailbox)}/messages/${uid}`;

function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function item(child) {
  const li = document.createElement("li");
  li.append(child);
  return li;
}

function show(view) {
  $("login-view").hidden = view !== "login";
  $("mail-view").hidden = view !== "mail";
  $("logout").hidden = view !== "mail";
  $("compose-button").hidden = view !== "mail";
}

const formatAddress = (a) => a ? (a.name ? `${a.name} <${a.address}>` : a.address) : "(no sender)";
const formatDate = (ms) => ms === undefined ? "(no date)" : new Date(ms).toLocaleString();

async function start() {
  try {
    state.me = await api("/me");
  } catch {
    show("login");
    return;
  }
  $("who").textContent = state.me.address;
  $("title").textContent = `Webmail · ${state.me.domain}`;
  show("mail");
  await refresh();
  listen();
}

async function refresh() {
  await Promise.all([loadFolders(), loadMessages()]);
}

async function loadFolders() {
  state.mailboxes = await api("/mailboxes");
  const list = $("folders");
  list.replaceChildren();
  const move = $("move");
  move.replaceChildren(element("option", "…", { value: "" }));
  for (const box of state.mailboxes) {
    const button = element("button", box.name, { type: "button" });
    if (box.unseen > 0) button.append(element("span", ` ${box.unseen}`, { class: "count" }));
    if (box.name === state.mailbox) button.setAttribute("aria-current", "true");
    button.addEventListener("click", () => {
      state.mailbox = box.name;
      state.uid = undefined;
      $("read-pane").hidden = true;
      refresh();
    });
    list.append(item(button));
    if (box.name !== state.mailbox) move.append(element("option", box.name, { value: box.name }));
  }
}

async function loadMessages() {
  const query = new URLSearchParams({
    sort: $("sort").value,
    order: $("sort").value === "subject" || $("sort").value === "from" ? "asc" : "desc",
    q: $("search").value,
    size: "200",
  });
  const listing = await api(`/mailboxes/${encodeURIComponent(state.mailbox)}/messages?${query}`);
  $("list-status").textContent =
    `${state.mailbox}: ${listing.total} messages, ${listing.unseen} unread`;
  const list = $("messages");
  list.replaceChildren();
  for (const row of listing.messages) {
    const button = element("button", undefined, {
      type: "button",
      class: row.seen ? "row" : "row unread",
      "data-uid": String(row.uid),
    });
    button.append(
      element("span", formatAddress(row.from), { class: "from" }),
      element("span", row.subject || "(no subject)", { class: "subject" }),
      element("span", formatDate(row.date), { class: "date" }),
    );
    button.addEventListener("click", () => openMessage(row.uid));
    list.append(item(button));
  }
  // For the bench (and the browser's performance panel): when the first listing was on screen.
  if (performance.getEntriesByName("inbox-shown").length === 0) performance.mark("inbox-shown");
}

async function openMessage(uid, images = false) {
  state.uid = uid;
  const message = await api(`${messagePath(uid)}${images ? "?images=1" : ""}`);
  state.message = message;
  $("read-pane").hidden = false;
  const headers = $("headers");
  headers.replaceChildren();
  const rows = [
    ["From", formatAddress(message.from)],
    ["To", message.to.map(formatAddress).join(", ")],
    ["Cc", message.cc.map(formatAddress).join(", ")],
    ["Date", formatDate(message.date)],
    ["Subject", message.subject || "(no subject)"],
    ["In reply to", message.inReplyTo.join(" ")],
  ];
  for (const [name, value] of rows) {
    if (!value) continue;
    headers.append(element("dt", name), element("dd", value));
  }
  $("text").textContent = message.text ?? "";
  $("text").hidden = !message.text;
  const frame = $("html");
  frame.hidden = message.html === undefined;
  if (message.html !== undefined) {
    frame.src = `/api${messagePath(uid)}/html${images ? "?images=1" : ""}`;
  }
  $("images-note").hidden = !message.remoteImagesBlocked;
  $("save").href = `/api${messagePath(uid)}/raw`;
  const attachments = $("attachments");
  attachments.replaceChildren();
  for (const a of message.attachments) {
    const link = element("a", `${a.filename} (${a.contentType}, ${a.size} bytes)`, {
      href: `/api${messagePath(uid)}/attachments/${a.index}`,
      download: a.filename,
    });
    attachments.append(item(link));
  }
  showTravel(message.received_fields);
  showDialogs(uid);
  await loadFolders();
  markRead(uid);
}

function markRead(uid) {
  const row = document.querySelector(`[data-uid="${uid}"]`);
  row?.classList.remove("unread");
}

// Each Received: field is one hop, newest first: "from A by B with P; date".
function showTravel(fields) {
  const hops = [...fields].reverse().map((field) => ({
    from: /\bfrom\s+(\S+)/i.exec(field)?.[1] ?? "?",
    by: /\bby\s+(\S+)/i.exec(field)?.[1] ?? "?",
    with: /\bwith\s+(\S+)/i.exec(field)?.[1] ?? "",
    field,
  }));
  // The last step is no Received: field: the reader fetched it from its own server (HTTP here).
  if (hops.length) {
    const last = hops[hops.length - 1].by;
    hops.push({ from: last, by: state.me.address, with: "HTTP", field: "read over HTTP" });
  }
  const list = $("hops");
  list.replaceChildren();
  for (const hop of hops) {
    list.append(element("li", `${hop.from} → ${hop.by}${hop.with ? ` (${hop.with})` : ""}`, {
      title: hop.field,
    }));
  }
  const names = [...new Set(hops.flatMap((h) => [h.from, h.by]))];
  const width = 18;
  const lane = (name) => names.indexOf(name) * width;
  const lines = [names.map((n) => n.slice(0, width - 2).padEnd(width)).join("")];
  for (const hop of hops) {
    const [a, b] = [lane(hop.from), lane(hop.by)];
    const row = Array.from({ length: names.length * width }, (_, i) => i % width === 0 ? "|" : " ");
    const [lo, hi] = [Math.min(a, b), Math.max(a, b)];
    for (let i = lo + 1; i < hi; i++) row[i] = "-";
    row[b > a ? hi - 1 : lo + 1] = b > a ? ">" : "<";
    lines.push(row.join("").trimEnd() + `  ${hop.with || "SMTP"}`);
  }
  $("diagram").textContent = hops.length ? lines.join("\n") : "No Received: fields";
}

// Each hop's own dialog, as the servers recorded it: C:/S: lines and a sequence diagram.
async function showDialogs(uid) {
  const list = $("dialogs");
  list.replaceChildren();
  const travel = await api(`${messagePath(uid)}/travel`);
  if (travel.hops.length === 0) {
    list.append(element("p", "No recorded dialog of this message is kept any more."));
  }
  for (const hop of travel.hops) {
    const details = element("details", undefined, { class: "dialog" });
    details.append(element("summary", `${hop.role}: ${hop.title}`));
    details.append(element("pre", hop.lines.join("\n")));
    const img = element("img", undefined, {
      alt: `Sequence diagram: ${hop.client} and ${hop.server}`,
      src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(hop.svg)}`,
    });
    details.append(img);
    list.append(details);
  }
}

function compose(prefill = {}) {
  const form = $("compose-form");
  form.reset();
  for (const [name, value] of Object.entries(prefill)) form.elements[name].value = value;
  $("compose-error").textContent = "";
  $("compose").showModal();
}

const others = (list) =>
  list.map((a) => a.address).filter((a) => a && a.toLowerCase() !== state.me.address);
const once = (prefix, subject) =>
  new RegExp(`^${prefix}:`, "i").test(subject ?? "") ? subject : `${prefix}: ${subject ?? ""}`;
const quoted = (m) =>
  `\n\nOn ${formatDate(m.date)}, ${formatAddress(m.from)} wrote:\n` +
  (m.text ?? "").split(/\r?\n/).map((line) => `> ${line}`).join("\n");

function reply(all) {
  const m = state.message;
  const to = m.replyTo.length ? m.replyTo : m.from ? [m.from] : [];
  compose({
    to: [...to.map((a) => a.address), ...(all ? others(m.to) : [])].join(", "),
    cc: all ? others(m.cc).join(", ") : "",
    subject: once("Re", m.subject),
    text: quoted(m),
    inReplyTo: m.messageId ?? "",
    references: [...m.references, ...(m.messageId ? [m.messageId] : [])].join(" "),
  });
}

function forward() {
  const m = state.message;
  const header = `\n\n---------- Forwarded message ----------\nFrom: ${formatAddress(m.from)}\n` +
    `Date: ${formatDate(m.date)}\nSubject: ${m.subject}\n\n`;
  compose({ subject: once("Fwd", m.subject), text: header + (m.text ?? "") });
}

async function fileToBase64(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

async function send(event) {
  event.preventDefault();
  const form = $("compose-form");
  const value = (name) => form.elements[name].value.trim();
  const attachments = [];
  for (const file of form.elements.files.files) {
    attachments.push({
      filename: file.name,
      contentType: file.type || "application/octet-stream",
      content: await fileToBase64(file),
    });
  }
  try {
    await post("/send", {
      to: value("to"),
      cc: value("cc"),
      subject: form.elements.subject.value,
      text: form.elements.text.value,
      attachments,
      ...(value("inReplyTo") ? { inReplyTo: value("inReplyTo") } : {}),
      ...(value("references") ? { references: value("references").split(/\s+/) } : {}),
    });
    $("compose").close();
    await refresh();
  } catch (error) {
    $("compose-error").textContent = error.message;
  }
}

// New mail and flag changes arrive as server-sent events: the list follows without a reload.
function listen() {
  const events = new EventSource("/api/events");
  let pending;
  events.addEventListener("mailbox", () => {
    clearTimeout(pending);
    pending = setTimeout(refresh, 300); // a burst of deliveries is one refresh
  });
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  try {
    await post("/login", {
      user: form.elements.user.value,
      password: form.elements.password.value,
    });
    $("login-error").textContent = "";
    await start();
  } catch (error) {
    $("login-error").textContent = error.message;
  }
});
$("logout").addEventListener("click", async () => {
  await post("/logout", {});
  location.reload();
});
$("compose-button").addEventListener("click", () => compose());
$("compose-form").addEventListener("submit", send);
$("cancel").addEventListener("click", () => $("compose").close());
$("reply").addEventListener("click", () => reply(false));
$("reply-all").addEventListener("click", () => reply(true));
$("forward").addEventListener("click", forward);
$("show-images").addEventListener("click", () => openMessage(state.uid, true));
$("delete").addEventListener("click", async () => {
  await api(messagePath(), { method: "DELETE" });
  $("read-pane").hidden = true;
  await refresh();
});
$("move").addEventListener("change", async (event) => {
  if (!event.target.value) return;
  await post(`${messagePath()}/move`, { to: event.target.value });
  $("read-pane").hidden = true;
  await refresh();
});
$("search").addEventListener("input", () => loadMessages());
$("sort").addEventListener("change", () => loadMessages());

start();
