import { settingDocs } from '../config/config-schema.js';
import { MessageWriter } from '../singer/message-writer.js';
import { packageInfo } from './package-info.js';

/** `--about`: capabilities and every setting, from the one config schema. */
export const CAPABILITIES = ['discover', 'catalog', 'properties', 'state', 'about', 'test', 'activate-version', 'log-based'] as const;


export async function aboutCommand(format: string): Promise<void> {
  const pkg = packageInfo();
  const settings = settingDocs();
  const about = { name: pkg.name, version: pkg.version, description: pkg.description, capabilities: [...CAPABILITIES], settings };
  const writer = new MessageWriter();
  await writer.write(format === 'markdown' ? aboutMarkdown(about) : `${JSON.stringify(about, null, 2)}\n`);
  await writer.flush();
}

function aboutMarkdown(about: { name: string; version: string; description: string; capabilities: string[]; settings: ReturnType<typeof settingDocs> }): string {
  const rows = about.settings.map((s) => `| ${s.key} | ${s.type} | ${s.default === undefined ? '' : JSON.stringify(s.default)} | ${s.description.replace(/\|/g, '\\|')} |`);
  return [
    `# ${about.name} ${about.version}`,
    '',
    about.description,
    '',
    `Capabilities: ${about.capabilities.join(', ')}`,
    '',
    '| setting | type | default | description |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
