import { FARGATE_MEMORY_BY_CPU, type SecretKey } from './choices';
import { type ConfigKey } from './defaults';
import { type ReadSettings, type Settings } from './fields';
import { resilienceProblems } from './resilience';

/**
 * The rules that relate keys to each other: pairs that go together, limits one key sets on
 * another, and the secrets a provider choice needs. Each returns its problems; a key that was
 * itself invalid is not also reported as missing.
 */
export function crossKeyProblems(
  read: Pick<ReadSettings, 'settings' | 'invalid'>,
  secretsSet: ReadonlySet<SecretKey>,
): string[] {
  const { settings: s, invalid } = read;
  const problems: string[] = [];
  /** Not set, as opposed to set to something invalid (which is reported already). */
  const unset = (key: ConfigKey) => !s[key] && !invalid.has(key);
  const needsSecret = (key: SecretKey, why: string) => {
    if (!secretsSet.has(key)) {
      problems.push(
        `lorechat:${key} is required ${why}: set it with \`pulumi config set --secret lorechat:${key} <value>\``,
      );
    }
  };
  const unused = (key: SecretKey, when: string) => {
    if (secretsSet.has(key)) problems.push(`lorechat:${key} is set but unused: ${when}`);
  };

  if (s.domainName && unset('hostedZoneId')) {
    problems.push('lorechat:hostedZoneId is required when lorechat:domainName is set');
  }
  if (s.hostedZoneId && unset('domainName')) {
    problems.push('lorechat:domainName is required when lorechat:hostedZoneId is set');
  }
  if (s.wafChatRateLimit > s.wafRateLimit) {
    problems.push(
      `lorechat:wafChatRateLimit must not exceed lorechat:wafRateLimit (${s.wafChatRateLimit} > ${s.wafRateLimit}): it is the tighter limit`,
    );
  }
  if (s.databaseMinCapacity > s.databaseMaxCapacity) {
    problems.push(
      `lorechat:databaseMinCapacity must not exceed lorechat:databaseMaxCapacity (${s.databaseMinCapacity} > ${s.databaseMaxCapacity})`,
    );
  }
  problems.push(
    ...capacityProblems(s),
    ...placeholderProblems(s),
    ...handoffProblems(read),
    ...resilienceProblems(s),
  );
  if (unset('imageUri')) {
    problems.push(
      'lorechat:imageUri is required: the arm64 image CI built, by digest (see docs/deploy.md); a preview or update never builds one',
    );
  }

  // An OpenAI-compatible server (Ollama, vLLM) usually needs no key; api.openai.com always does.
  if (s.llmProvider === 'openai' && unset('llmBaseUrl')) {
    needsSecret('openaiApiKey', 'when llmProvider is openai');
  }
  if (s.embeddingProvider === 'openai') {
    needsSecret('openaiApiKey', 'when embeddingProvider is openai');
  }
  if (s.llmProvider === 'anthropic')
    needsSecret('anthropicApiKey', 'when llmProvider is anthropic');
  // The task role may invoke exactly the configured Bedrock models, so the ids must be explicit.
  if (s.llmProvider === 'bedrock' && unset('llmModel')) {
    problems.push('lorechat:llmModel is required when llmProvider is bedrock');
  }
  if (s.embeddingProvider === 'bedrock' && unset('embeddingModel')) {
    problems.push('lorechat:embeddingModel is required when embeddingProvider is bedrock');
  }
  if (s.llmProvider !== 'openai' && s.embeddingProvider !== 'openai') {
    unused('openaiApiKey', 'neither llmProvider nor embeddingProvider is openai');
  }
  if (s.llmProvider !== 'anthropic') unused('anthropicApiKey', 'llmProvider is not anthropic');

  if (s.vectorDbMode === 'managed') {
    if (unset('qdrantUrl')) {
      problems.push('lorechat:qdrantUrl is required when vectorDbMode is managed');
    }
    needsSecret('qdrantApiKey', 'when vectorDbMode is managed');
  } else {
    if (s.qdrantUrl) problems.push('lorechat:qdrantUrl is only used when vectorDbMode is managed');
    // The self-hosted instance gets a generated key; a configured one would be silently ignored.
    unused('qdrantApiKey', 'vectorDbMode self-hosted generates its own key');
  }

  if (s.alarmCpuPercent <= s.cpuTargetPercent) {
    problems.push(
      `lorechat:alarmCpuPercent (${s.alarmCpuPercent}) must exceed lorechat:cpuTargetPercent (${s.cpuTargetPercent}): scaling should act before the alarm fires`,
    );
  }
  return problems;
}

/** Handoff e-mail needs both its recipients and its sender (an identity verified in SES). */
function handoffProblems({
  settings: s,
  invalid,
}: Pick<ReadSettings, 'settings' | 'invalid'>): string[] {
  if (s.handoffEmailTo.length > 0 && !s.handoffEmailFrom && !invalid.has('handoffEmailFrom')) {
    return [
      'lorechat:handoffEmailFrom is required when lorechat:handoffEmailTo is set: the sender, an identity verified in SES',
    ];
  }
  if (s.handoffEmailFrom && s.handoffEmailTo.length === 0 && !invalid.has('handoffEmailTo')) {
    return [
      'lorechat:handoffEmailTo is required when lorechat:handoffEmailFrom is set: who receives the requests',
    ];
  }
  return [];
}

/** Task size and count: Fargate's CPU/memory pairs, and bounds that fit inside each other. */
function capacityProblems(s: Settings): string[] {
  const problems: string[] = [];
  const allowedMemory = FARGATE_MEMORY_BY_CPU[s.taskCpu];
  if (allowedMemory && !allowedMemory.includes(s.taskMemory)) {
    problems.push(
      `lorechat:taskMemory must be one of ${allowedMemory.join(', ')} when lorechat:taskCpu is ${s.taskCpu} (got ${s.taskMemory})`,
    );
  }
  if (s.minTasks > s.maxTasks) {
    problems.push(
      `lorechat:minTasks (${s.minTasks}) must not exceed lorechat:maxTasks (${s.maxTasks})`,
    );
  }
  if (s.onDemandBaseTasks > s.maxTasks) {
    problems.push(
      `lorechat:onDemandBaseTasks (${s.onDemandBaseTasks}) must not exceed lorechat:maxTasks (${s.maxTasks})`,
    );
  }
  if (s.onDemandWeight + s.spotWeight === 0) {
    problems.push('lorechat:onDemandWeight and lorechat:spotWeight must not both be 0');
  }
  return problems;
}

/** Example values the repository's stack files hold in place of an operator's own. */
function placeholderProblems(s: Settings): string[] {
  const problems: string[] = [];
  const placeholder = (key: ConfigKey, value: string) =>
    problems.push(
      `lorechat:${key} is still the repository's example value "${value}": set your own with \`pulumi config set lorechat:${key} <value>\``,
    );
  if (s.hostedZoneId?.includes('EXAMPLE')) placeholder('hostedZoneId', s.hostedZoneId);
  // RFC 2606 reserves these domains for examples: nobody can own a zone or a mailbox there.
  if (s.domainName && EXAMPLE_DOMAIN.test(s.domainName)) placeholder('domainName', s.domainName);
  if (s.alarmEmail && EXAMPLE_DOMAIN.test(s.alarmEmail.split('@')[1] ?? '')) {
    placeholder('alarmEmail', s.alarmEmail);
  }
  return problems;
}

const EXAMPLE_DOMAIN = /(^|\.)example\.(com|net|org)$/;
