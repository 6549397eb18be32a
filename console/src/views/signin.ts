import { api } from '../api';
import { h } from '../dom';

/** The sign-in form: the admin token in a password field, exchanged for a session cookie. */
export function signInView(signedIn: () => void): HTMLElement {
  const input = h('input', {
    attrs: {
      id: 'token',
      type: 'password',
      name: 'token',
      autocomplete: 'current-password',
      required: '',
      'aria-describedby': 'token-help',
    },
  });
  const error = h('p', { class: 'error', attrs: { id: 'signin-error', role: 'alert' } });
  const button = h('button', { attrs: { type: 'submit' } }, 'Sign in');
  const form = h(
    'form',
    {
      class: 'signin',
      on: {
        submit: (event) => {
          event.preventDefault();
          error.textContent = '';
          button.disabled = true;
          api
            .signIn(input.value)
            .then((ok) => {
              if (ok) {
                signedIn();
                return;
              }
              error.textContent = 'That is not the admin token.';
              input.select();
            })
            .catch((failure: unknown) => {
              error.textContent = (failure as Error).message;
            })
            .finally(() => (button.disabled = false));
        },
      },
    },
    h('h1', {}, 'LoreChat console'),
    h('label', { attrs: { for: 'token' } }, 'Admin token'),
    input,
    h(
      'p',
      { class: 'help', attrs: { id: 'token-help' } },
      'The ADMIN_TOKEN setting, or the admin-token file in the data folder when LoreChat made one.',
    ),
    error,
    button,
  );
  queueMicrotask(() => input.focus());
  return h('main', { attrs: { id: 'main' } }, form);
}
