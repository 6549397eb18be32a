import { type AckResponse, type HandoffAccepted, type HandoffPayload } from '@lorechat/contracts';
import { type Locale } from './i18n';
import { type LoreChatApi } from './widget';

/**
 * What the core gives a feature that is loaded on first use (a chunk, `widget-<name>.js` beside
 * widget.js): the widget's open shadow root to add its controls to, the visitor's language, the
 * page's API (events, `ask`), and the connection. Types only: nothing here reaches the bundle.
 */
export interface WidgetExtension {
  root: ShadowRoot;
  locale: Locale;
  api: LoreChatApi;
  /** The server's id of this conversation, once it has one. */
  conversationId(): string | undefined;
  /** Sends a request to talk to a person; undefined when no acknowledgement came. */
  handoff(payload: HandoffPayload): Promise<AckResponse<HandoffAccepted> | undefined>;
}

/** A chunk's module: its default export sets the feature up. */
export interface WidgetChunk {
  default(extension: WidgetExtension): void;
}
