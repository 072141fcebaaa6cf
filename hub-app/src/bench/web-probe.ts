/**
 * The web scenario's browser: opens a minted port URL as a browser would (the first answer sets the
 * credential cookie and redirects), then GETs the page with that cookie. node:http with keep-alive,
 * like the API client, so the figures are the Hub's path and not new TCP or TLS handshakes.
 */
import http from "node:http";
import https from "node:https";
import { HubApiError, MAX_SOCKETS, type RequestOptions } from "./client.js";

export interface PageAnswer {
  readonly status: number;
  readonly location?: string;
  /** `name=value` of the first Set-Cookie, as a browser would send it back. */
  readonly cookie?: string;
  readonly bytes: number;
}

/** Where the app's page is and the cookie that opens it, after the link's first visit. */
export interface OpenedLink {
  readonly pageUrl: URL;
  readonly cookie?: string;
}

const REQUEST_TIMEOUT_MS = 30_000;

export class PageProbe {
  private readonly agents = {
    "http:": new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
    "https:": new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
  };

  /** One GET, body read and dropped; rejects only when no answer came (network, timeout, abort). */
  get(url: URL, cookie: string | undefined, options: RequestOptions = {}): Promise<PageAnswer> {
    const secure = url.protocol === "https:";
    const transport = secure ? https : http;
    const headers: Record<string, string> = { accept: "text/html" };
    if (cookie !== undefined) headers.cookie = cookie;
    const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
    const signals = [
      AbortSignal.timeout(timeoutMs),
      ...(options.signal === undefined ? [] : [options.signal]),
    ];
    return new Promise<PageAnswer>((resolve, reject) => {
      const request = transport.request(
        url,
        {
          method: "GET",
          headers,
          agent: this.agents[secure ? "https:" : "http:"],
          signal: AbortSignal.any(signals),
        },
        (response) => {
          let bytes = 0;
          response.on("data", (chunk: Buffer) => (bytes += chunk.length));
          response.on("error", (error) => reject(new HubApiError("network_error", error.message)));
          response.on("end", () => {
            const setCookie = response.headers["set-cookie"]?.[0];
            resolve({
              status: response.statusCode ?? 0,
              ...(response.headers.location === undefined ? {} : { location: response.headers.location }),
              ...(setCookie === undefined ? {} : { cookie: setCookie.split(";", 1)[0]! }),
              bytes,
            });
          });
        },
      );
      request.on("error", (error: NodeJS.ErrnoException) => {
        const code =
          options.signal?.aborted === true
            ? "aborted"
            : error.name === "AbortError"
              ? "client_timeout"
              : "network_error";
        reject(new HubApiError(code, `GET ${url.origin}${url.pathname}: ${error.code ?? error.message}`));
      });
      request.end();
    });
  }

  /** The link's first visit: a redirect that sets a cookie is followed once, as a browser does. */
  async open(link: string, options?: RequestOptions): Promise<OpenedLink> {
    const url = new URL(link);
    const answer = await this.get(url, undefined, options);
    if (answer.status >= 300 && answer.status < 400 && answer.location !== undefined) {
      return {
        pageUrl: new URL(answer.location, url),
        ...(answer.cookie === undefined ? {} : { cookie: answer.cookie }),
      };
    }
    if (answer.status >= 400 && answer.status !== 502 && answer.status !== 503 && answer.status !== 504) {
      throw new HubApiError(
        `http_${answer.status}`,
        `the port URL was refused with ${answer.status}`,
        answer.status,
      );
    }
    return { pageUrl: url };
  }

  close(): void {
    for (const agent of Object.values(this.agents)) agent.destroy();
  }
}
