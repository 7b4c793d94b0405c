/*
 * cli_doc.h - the manual page and the shell completion scripts, made from
 * the command table (cli.c: each command's name, summary and usage text)
 * and the global options, so that they cannot drift from `kyokun help`.
 *
 * `kyokun help --man` and `kyokun help --completion bash|zsh` print them
 * (hidden options of help); `make man` writes build/kyokun.1,
 * build/kyokun.bash and build/_kyokun with them.
 */
#ifndef KYOKUN_CLI_DOC_H
#define KYOKUN_CLI_DOC_H

#include <stdio.h>

/* The manual page kyokun(1) in troff (man macros), ASCII only: other
 * characters as \[uXXXX].  Dated by $SOURCE_DATE_EPOCH when set. */
void kcli_doc_man(FILE *fp);

/* The completion script for shell "bash" or "zsh": 0, or -1 for another shell. */
int kcli_doc_completion(FILE *fp, const char *shell);

#endif
