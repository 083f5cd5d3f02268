import { TargetSchema, type Target, type TargetKind } from '../../../../contract';

/** The editor's fields, all strings as typed; empty optional fields are left out of the target. */
export interface TargetDraft {
  kind: TargetKind;
  url: string;
  id: string;
  label: string;
  username: string;
  credential: string;
  key: string;
}

export type DraftField = keyof TargetDraft;
export type DraftErrors = Partial<Record<DraftField, string>>;

export const URL_EXAMPLES: Record<TargetKind, string> = {
  stun: 'stun:stun.example.org:3478',
  turn: 'turn:turn.example.org:3478?transport=udp',
  gun: 'https://gun.example.org/gun',
  peerjs: 'https://peerjs.example.org/peerjs',
};

export function draftFrom(target?: Target): TargetDraft {
  return {
    kind: target?.kind ?? 'stun',
    url: target?.url ?? '',
    id: target?.id ?? '',
    label: target?.label ?? '',
    username: target?.kind === 'turn' ? (target.username ?? '') : '',
    credential: target?.kind === 'turn' ? (target.credential ?? '') : '',
    key: target?.kind === 'peerjs' ? (target.key ?? '') : '',
  };
}

function candidate(draft: TargetDraft): Record<string, string> {
  const value: Record<string, string> = { kind: draft.kind, url: draft.url.trim() };
  const optional = (name: DraftField, text: string) => {
    if (text.trim() !== '') value[name] = name === 'credential' ? text : text.trim();
  };
  optional('id', draft.id);
  optional('label', draft.label);
  if (draft.kind === 'turn') {
    optional('username', draft.username);
    optional('credential', draft.credential);
  }
  if (draft.kind === 'peerjs') optional('key', draft.key);
  return value;
}

/**
 * Validates the draft with the config file's own schema (the engine checks it again on save): the
 * target when valid, else each bad field's message. `takenIds` catches a duplicate id early.
 */
export function validateDraft(
  draft: TargetDraft,
  takenIds: ReadonlySet<string> = new Set(),
): { target: Target | null; errors: DraftErrors } {
  const errors: DraftErrors = {};
  if (draft.url.trim() === '') errors.url = 'enter the server URL';
  const parsed = TargetSchema.safeParse(candidate(draft));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = (issue.path[0] ?? 'url') as DraftField;
      errors[field] ??= issue.message;
    }
  }
  const id = draft.id.trim();
  if (id !== '' && takenIds.has(id)) errors.id = `"${id}" is already the id of another server`;
  return { target: parsed.success && Object.keys(errors).length === 0 ? parsed.data : null, errors };
}
