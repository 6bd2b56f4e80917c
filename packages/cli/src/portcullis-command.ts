import { Command, type ParseOptionsResult } from 'commander';

/**
 * commander's `Command`, reporting a misspelt option before a missing required one. commander
 * checks required options first, so `clients create --nmae x` would read "required option
 * '--name <name>' not specified" and never name the typo; here it reads "unknown option
 * '--nmae' (did you mean --name?)". Every subcommand is one too (`createCommand`).
 *
 * @example
 * const program = new PortcullisCommand('portcullis').showSuggestionAfterError();
 */
export class PortcullisCommand extends Command {
  override createCommand(name?: string): PortcullisCommand {
    return new PortcullisCommand(name);
  }

  override parseOptions(argv: string[]): ParseOptionsResult {
    const parsed = super.parseOptions(argv);
    // In a command of its own (not a group, whose unknowns are its subcommand's arguments),
    // commander's `unknown` starts with the first option it did not recognise. Relaxing the
    // required options lets commander go on to its unknown-option error (help still wins).
    const first = parsed.unknown[0];
    if (this.commands.length === 0 && first !== undefined && /^-./.test(first)) {
      for (const option of this.options) option.mandatory = false;
    }
    return parsed;
  }
}
