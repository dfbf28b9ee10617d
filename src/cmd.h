/*
 * The subcommands. Each takes the arguments after its name (argv[0] is
 * the subcommand's name) and returns the process exit status: 0 success,
 * 1 check found errors, 2 bad usage, unreadable input or a write failure.
 */
#ifndef FP_CMD_H
#define FP_CMD_H

int cmd_read(int argc, char **argv);
int cmd_map(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_annotate(int argc, char **argv);

#endif
