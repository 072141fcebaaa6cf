/** Something proxied for one container that the Hub can cut: a response in flight or an upgraded socket. */
export interface OpenConnection {
  destroy(): void;
  once(event: "close", listener: () => void): unknown;
}

/**
 * The proxied connections of each container, so that one student's page cannot take every socket
 * of the Hub (a cap per container) and a deleted container's open connections end at once.
 */
export class ContainerConnections {
  private readonly open = new Map<string, Set<OpenConnection>>();

  constructor(private readonly maxPerContainer: number) {}

  /** Counts `connection` against the container until it closes; false (not counted) when the cap is reached. */
  admit(id: string, connection: OpenConnection): boolean {
    let set = this.open.get(id);
    if (set === undefined) {
      set = new Set();
      this.open.set(id, set);
    }
    if (set.size >= this.maxPerContainer) return false;
    const own = set;
    own.add(connection);
    connection.once("close", () => {
      own.delete(connection);
      if (own.size === 0 && this.open.get(id) === own) this.open.delete(id);
    });
    return true;
  }

  count(id: string): number {
    return this.open.get(id)?.size ?? 0;
  }

  get limit(): number {
    return this.maxPerContainer;
  }

  /** Cuts every connection of the container (it was deleted). */
  closeAll(id: string): void {
    const set = this.open.get(id);
    this.open.delete(id);
    for (const connection of set ?? []) connection.destroy();
  }

  closeEverything(): void {
    for (const id of [...this.open.keys()]) this.closeAll(id);
  }
}
