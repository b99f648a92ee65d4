import { Option } from 'commander';

export const configOption = () => new Option('--config <file>', 'a JSON or YAML config file (keys under session:, server:); or TENURE_CONFIG');
export const jsonOption = () => new Option('--json', 'print JSON (the admin API’s shapes) instead of a table');
