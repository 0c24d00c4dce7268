// The cluster page's script: polls GET /cluster on this page's node and draws every member, and
// sends the forms' requests to the KV HTTP API. Plain JavaScript, no build step, nothing loaded
// from anywhere but the node (its Content-Security-Policy enforces that).
//
// Polling: one request at a time, the next POLL_MS after the previous answer, so at most two a
// second. When this page's node stops answering, the page asks the other members it has heard of
// (their APIs allow this page's origin), and says whose view it shows. Every member is addressed
// over this page's own scheme (http: or https:): the members of one cluster serve the same.
//
// Transfer leadership goes to /admin/..., which a node may guard with a token or a client
// certificate. This page cannot know a token (it sends none), so on a guarded node its transfer
// and remove buttons show the node's 401 like any other API error; they work on an unguarded
// (loopback) node.
'use strict';

(() => {
  const POLL_MS = 500;
  const REQUEST_TIMEOUT_MS = 3000;
  const ROLES = ['leader', 'follower', 'candidate', 'learner', 'not-a-member', 'stopped'];
  const FIELDS = [
    ['term', 'Term'],
    ['commit-index', 'Commit index'],
    ['last-applied', 'Last applied'],
    ['snapshot-index', 'Snapshot index'],
    ['last-log-index', 'Last log index'],
    ['lag', 'Lag behind leader'],
    ['reachable', 'Reachable'],
  ];

  const state = {
    sources: [''], // '' is this page's own node; then the other members' scheme://host:port
    current: 0,
    selfId: null,
    memberIds: '',
    cards: new Map(),
  };

  const byId = (id) => document.getElementById(id);

  function element(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function setText(e, text) {
    const value = String(text);
    if (e.textContent !== value) e.textContent = value;
  }

  /** A member's address as a URL origin, over this page's scheme. */
  function origin(hostPort) {
    return `${window.location.protocol}//${hostPort}`;
  }

  function base() {
    return state.sources[state.current];
  }

  /** How many entries a log strip shows: as many boxes of about 18 px as the window has room for. */
  function logTail() {
    const width = document.documentElement.clientWidth || 375;
    return Math.max(8, Math.min(40, Math.floor((width - 96) / 18)));
  }

  async function refresh() {
    try {
      const response = await fetch(`${base()}/cluster?log-tail=${logTail()}`,
        { cache: 'no-store', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`it answered ${response.status}`);
      const view = await response.json();
      remember(view);
      render(view);
    } catch (failure) {
      const who = base() === '' ? `this page's node (${state.selfId || window.location.host})` : base();
      setText(byId('source'), `${who} does not answer (${reason(failure)}); asking another member…`);
      state.current = (state.current + 1) % state.sources.length;
    } finally {
      window.setTimeout(refresh, POLL_MS);
    }
  }

  function reason(failure) {
    if (failure && failure.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS} ms`;
    return failure && failure.message ? failure.message : String(failure);
  }

  /** Learns this page's member id and the other members' addresses, for when its node goes away. */
  function remember(view) {
    if (base() === '') state.selfId = view.id;
    const others = view.members.filter((m) => m.id !== state.selfId && m.http).map((m) => origin(m.http));
    const sources = [''].concat(others);
    const current = base();
    state.sources = sources;
    state.current = Math.max(0, sources.indexOf(current));
  }

  function render(view) {
    const reachable = view.members.filter((m) => m.reachable).length;
    const summary = byId('summary');
    const leaderText = view.leader ? `Leader: ${view.leader}, term ${view.term}` : `No leader (term ${view.term})`;
    setText(summary, `${leaderText}. ${reachable} of ${view.members.length} members answer.`);
    summary.dataset.leader = view.leader || '';
    const seenBy = base() === '' ? `As seen by ${view.id}, this page's node`
      : `As seen by ${view.id}: this page's node (${state.selfId || window.location.host}) does not answer`;
    setText(byId('source'), `${seenBy}. Updated ${new Date().toLocaleTimeString()}.`);
    renderMembers(view);
    renderLogs(view);
    renderTransferTargets(view);
    suggestTransferTarget(view);
  }

  function renderMembers(view) {
    const list = byId('members');
    const ids = view.members.map((m) => m.id);
    for (const [id, card] of state.cards) {
      if (!ids.includes(id)) {
        card.item.remove();
        state.cards.delete(id);
      }
    }
    for (const member of view.members) {
      let card = state.cards.get(member.id);
      if (!card) {
        card = createCard(member.id);
        state.cards.set(member.id, card);
      }
      list.appendChild(card.item); // keeps configuration order
      updateCard(card, member);
    }
  }

  function createCard(id) {
    const item = element('li', 'member');
    item.dataset.memberId = id;
    const heading = element('h3');
    heading.id = `member-${id}`;
    item.setAttribute('aria-labelledby', heading.id);
    const name = element('span', 'member-id', id);
    const role = element('span', 'role');
    heading.append(name, role);
    const list = element('dl');
    const values = {};
    for (const [key, label] of FIELDS) {
      const value = element('dd');
      list.append(element('dt', null, label), value);
      values[key] = value;
    }
    const address = element('p', 'address');
    item.append(heading, list, address);
    return { item, role, values, address, http: null };
  }

  function updateCard(card, member) {
    const role = member.reachable && ROLES.includes(member.role) ? member.role : 'unreachable';
    card.item.dataset.role = role;
    card.item.dataset.reachable = String(member.reachable);
    setText(card.role, role);
    card.role.className = `role role-${role}`;
    const field = (key, value) => setText(card.values[key], value === undefined || value === null ? '–' : value);
    if (member.reachable) {
      for (const [key] of FIELDS) field(key, member[key]);
      setText(card.values.reachable, 'yes');
      card.values.reachable.className = '';
      if (member.lag === null || member.lag === undefined) field('lag', 'unknown (no leader)');
      else field('lag', `${member.lag} ${member.lag === 1 ? 'entry' : 'entries'}`);
    } else {
      for (const [key] of FIELDS) field(key, null);
      setText(card.values.reachable, `no: ${member.error}`);
      card.values.reachable.className = 'error-text';
    }
    if (card.http !== member.http) {
      card.http = member.http;
      card.address.replaceChildren();
      if (member.http) {
        const link = element('a', null, member.http);
        link.href = `${origin(member.http)}/`;
        link.setAttribute('aria-label', `${member.id}'s own page at ${member.http}`);
        card.address.append('HTTP ', link);
      }
    }
  }

  /** One strip per member, all over the same window of indexes so that equal indexes line up. */
  function renderLogs(view) {
    const answering = view.members.filter((m) => m.reachable && m.log);
    const high = Math.max(0, ...answering.map((m) => m.log['last-index']));
    const columns = Math.max(1, Math.min(logTail(), high));
    const low = Math.max(1, high - columns + 1);
    const rows = [];
    for (const member of view.members) {
      const row = element('div', 'log-row');
      row.dataset.memberId = member.id;
      row.append(element('span', 'log-label', member.id));
      if (!member.reachable || !member.log) {
        row.append(element('span', 'muted', 'unreachable'));
        rows.push(row);
        continue;
      }
      row.append(strip(member, low, high, columns));
      rows.push(row);
    }
    if (high > 0) {
      // The first and last index under the strips' first and last columns.
      const axis = element('div', 'log-row axis');
      axis.setAttribute('aria-hidden', 'true');
      const marks = element('div', 'strip');
      marks.style.setProperty('--columns', String(columns));
      marks.append(element('span', null, String(low)));
      if (high > low) marks.append(element('span', 'last', String(high)));
      axis.append(element('span', null, 'index'), marks);
      rows.push(axis);
    }
    byId('logs').replaceChildren(...rows);
  }

  function strip(member, low, high, columns) {
    const log = member.log;
    const terms = new Map(log.entries.map((e) => [e.index, e.term]));
    const commit = member['commit-index'];
    const list = element('ol', 'strip');
    list.style.setProperty('--columns', String(columns));
    list.setAttribute('role', 'img');
    const last = log['last-index'];
    const shown = log.entries.filter((e) => e.index >= low);
    const termRange = shown.length ? `terms ${shown[0].term} to ${shown[shown.length - 1].term}` : 'no entries';
    list.setAttribute('aria-label', `${member.id}'s log from index ${low}: last index ${last}, `
      + `committed through ${commit}, ${termRange}`);
    for (let index = low; index <= high; index++) {
      const box = element('li', 'entry');
      if (index < log['first-index'] && index <= member['snapshot-index']) {
        box.classList.add('compacted');
        box.title = `index ${index}: in a snapshot`;
      } else if (!terms.has(index)) {
        box.classList.add('absent');
        box.title = `index ${index}: not in ${member.id}'s log`;
      } else {
        const term = terms.get(index);
        box.classList.add(`term-${term % 8}`, index <= commit ? 'committed' : 'uncommitted');
        if (index === commit) box.classList.add('commit-edge');
        box.textContent = String(term);
        box.title = `index ${index}, term ${term}, ${index <= commit ? 'committed' : 'not committed yet'}`;
        box.dataset.index = String(index);
        box.dataset.term = String(term);
      }
      list.append(box);
    }
    return list;
  }

  /** The members offered by the transfer and the remove forms. */
  function renderTransferTargets(view) {
    const ids = view.members.map((m) => m.id).join(' ');
    if (ids === state.memberIds) return;
    state.memberIds = ids;
    for (const select of [byId('transfer-target'), byId('remove-target')]) {
      const chosen = select.value;
      select.replaceChildren(...view.members.map((m) => {
        const option = element('option', null, m.id);
        option.value = m.id;
        return option;
      }));
      select.value = view.members.some((m) => m.id === chosen) ? chosen : '';
    }
  }

  /** Until someone picks a member, the transfer form offers one that is not the leader. */
  function suggestTransferTarget(view) {
    const select = byId('transfer-target');
    if (select.dataset.touched || (select.value && select.value !== view.leader)) return;
    const other = view.members.find((m) => m.id !== view.leader && m.reachable);
    if (other) select.value = other.id;
  }

  // ---------------------------------------------------------------- the forms

  /** Sends one API request; the browser follows a follower's 307 to the leader by itself. */
  async function call(method, path, body) {
    const response = await fetch(base() + path,
      { method, body, cache: 'no-store', signal: AbortSignal.timeout(10000) });
    let json = null;
    try {
      json = await response.json();
    } catch (ignored) {
      // an answer without a JSON body (never from this API) leaves json null
    }
    const via = response.redirected ? ` (a follower redirected the request to ${new URL(response.url).host})` : '';
    return { response, json, via };
  }

  function show(text, ok) {
    const result = byId('result');
    result.className = `result ${ok ? 'ok' : 'error'}`;
    result.dataset.outcome = ok ? 'ok' : 'error';
    result.textContent = ok ? text : `Error: ${text}`;
  }

  function failureText(outcome) {
    const message = outcome.json && outcome.json.error ? outcome.json.error : outcome.response.statusText;
    return `${outcome.response.status} ${message}${outcome.via}`;
  }

  function handle(form, action) {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const button = form.querySelector('button');
      button.disabled = true;
      try {
        await action(new FormData(form));
      } catch (failure) {
        show(`the request failed (${reason(failure)}); is the node up?`, false);
      } finally {
        button.disabled = false;
      }
    });
  }

  document.addEventListener('DOMContentLoaded', () => {
    byId('transfer-target').addEventListener('change', (event) => {
      event.target.dataset.touched = 'true';
    });
    handle(byId('put-form'), async (data) => {
      const key = data.get('key');
      const outcome = await call('PUT', `/kv/${encodeURIComponent(key)}`, data.get('value'));
      if (outcome.response.ok) {
        show(`Stored ${outcome.json.key} = ${outcome.json.value} at index ${outcome.json.index}${outcome.via}.`, true);
      } else {
        show(failureText(outcome), false);
      }
    });
    handle(byId('get-form'), async (data) => {
      const key = data.get('key');
      const outcome = await call('GET', `/kv/${encodeURIComponent(key)}`);
      if (outcome.response.ok) {
        show(`${outcome.json.key} = ${outcome.json.value}${outcome.via}.`, true);
      } else if (outcome.response.status === 404 && outcome.json && outcome.json.key !== undefined) {
        show(`${key} has no value${outcome.via}.`, true);
      } else {
        show(failureText(outcome), false);
      }
    });
    handle(byId('transfer-form'), async (data) => {
      const target = data.get('target');
      const outcome = await call('POST', `/admin/transfer-leadership/${encodeURIComponent(target)}`);
      if (outcome.response.ok) {
        show(`${outcome.json.leader} leads now, term ${outcome.json.term}${outcome.via}.`, true);
      } else {
        show(failureText(outcome), false);
      }
    });
    handle(byId('remove-form'), async (data) => {
      const target = data.get('target');
      const outcome = await call('DELETE', `/admin/members/${encodeURIComponent(target)}`);
      if (outcome.response.ok) {
        const voters = outcome.json.configuration.voters.join(', ');
        show(`${target} removed; voters now ${voters}${outcome.via}.`, true);
        refresh();
      } else {
        show(failureText(outcome), false);
      }
    });
    refresh();
  });
})();
