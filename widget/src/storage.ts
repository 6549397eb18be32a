import { type SavedConversation, type Turn } from './conversation';

export interface WidgetState extends SavedConversation {
  /** Whether the panel was open, so it stays open on the next page. */
  open?: boolean;
  /**
   * The last visitor token, renewed on the next page so the server knows the same visitor: a
   * conversation answers only to the visitor who started it.
   */
  visitorToken?: string;
}

const FORMAT_VERSION = 1;
const TURN_STATES: ReadonlySet<Turn['state']> = new Set([
  'queued',
  'sending',
  'streaming',
  'done',
  'cancelled',
  'failed',
]);

/**
 * The widget's state in sessionStorage: it follows the visitor through reloads and the pages of
 * the site in this tab, and ends with the tab. Storage may be missing or throw (blocked cookies,
 * sandboxed frames, a full quota); the widget then works the same and forgets on reload.
 */
export class StoredState {
  readonly #key: string;
  #state: WidgetState;

  constructor(key: string) {
    this.#key = key;
    this.#state = this.#read() ?? { turns: [] };
  }

  get current(): WidgetState {
    return this.#state;
  }

  update(change: Partial<WidgetState>): void {
    this.#state = { ...this.#state, ...change };
    try {
      sessionStorage.setItem(
        this.#key,
        JSON.stringify({ version: FORMAT_VERSION, ...this.#state }),
      );
    } catch {
      // Nothing to do: the conversation just won't survive a reload.
    }
  }

  #read(): WidgetState | undefined {
    try {
      const saved: unknown = JSON.parse(sessionStorage.getItem(this.#key) ?? 'null');
      if (!isRecord(saved) || saved.version !== FORMAT_VERSION || !Array.isArray(saved.turns)) {
        return undefined;
      }
      return {
        conversationId: typeof saved.conversationId === 'string' ? saved.conversationId : undefined,
        open: typeof saved.open === 'boolean' ? saved.open : undefined,
        visitorToken: typeof saved.visitorToken === 'string' ? saved.visitorToken : undefined,
        // Whatever else is in there (another version, another script's data) is dropped.
        turns: saved.turns.filter(isTurn),
      };
    } catch {
      return undefined;
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isTurn(value: unknown): value is Turn {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.question === 'string' &&
    typeof value.answer === 'string' &&
    TURN_STATES.has(value.state as Turn['state']) &&
    Array.isArray(value.sources) &&
    value.sources.every(
      (source) =>
        isRecord(source) && typeof source.url === 'string' && typeof source.title === 'string',
    )
  );
}
