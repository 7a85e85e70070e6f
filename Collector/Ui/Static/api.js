// The Collector's HTTP API as the UI uses it: JSON GETs with the token from sessionStorage, a prompt for the token
// when the API answers 401, problem+json (or the Loki routes' plain-text error) turned into ApiError, with the query
// position when there is one.
const TOKEN_KEY = 'kube-syslog-token';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? `HTTP ${status}`);
    this.status = status;
    // Loki's "parse error at line 1, col 12: …" counts columns from 1.
    const col = /^parse error at line 1, col (\d+)/.exec(problem?.detail ?? '');
    this.position = problem?.position ?? (col ? Number(col[1]) - 1 : null);
  }
}

export const token = () => sessionStorage.getItem(TOKEN_KEY);

let asking = null;

// One dialog for every request that got a 401 at the same time; resolves once a token was entered.
function askToken(rejected) {
  asking ??= new Promise(resolve => {
    const dialog = document.getElementById('token-dialog');
    const input = document.getElementById('token');
    document.getElementById('token-error').hidden = !rejected;
    input.value = '';
    document.getElementById('token-form').onsubmit = event => {
      event.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, input.value.trim());
      dialog.close();
      asking = null;
      resolve();
    };
    dialog.oncancel = event => event.preventDefault();
    dialog.showModal();
    input.focus();
  });
  return asking;
}

export async function getJson(path, params, signal) {
  const search = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== ''));
  for (;;) {
    const sent = token();
    const response = await fetch(`${path}?${search}`, { headers: sent ? { Authorization: `Bearer ${sent}` } : {}, signal });
    if (response.status === 401) {
      if (sent) sessionStorage.removeItem(TOKEN_KEY);
      await askToken(Boolean(sent));
      continue;
    }
    const text = await response.text();
    let body = null;
    try { body = JSON.parse(text); } catch { /* the Loki routes answer errors in plain text */ }
    if (!response.ok) throw new ApiError(response.status, body ?? (text.trim() ? { detail: text.trim() } : null));
    return body;
  }
}

// A browser WebSocket cannot send headers: the Collector accepts access_token on WebSocket requests.
export function openTail(params) {
  const t = token();
  const search = new URLSearchParams({ ...params, ...(t ? { access_token: t } : {}) });
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return new WebSocket(`${scheme}://${location.host}/api/v1/tail?${search}`);
}
