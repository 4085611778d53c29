/*
 * dnsrep.c — the Unbound dynlib module: the six entry points Unbound looks up.
 *
 * Unbound's dynlib module dlopen()s this file and calls init/deinit once per
 * module stack setup (again on every `unbound-control reload`), operate for
 * every query event, and clear when a query is done.  This file is the glue
 * only: configuration, matching and logging live in libdnsrep.
 *
 * For now the module reads and checks dnsrep.conf and passes every query on
 * unchanged, so Unbound refuses to start on a broken dnsrep.conf rather than
 * run unprotected.
 */
#include "config.h"            /* Unbound's: fixes the layout of its structs */
#include "util/module.h"
#include "util/log.h"
#include "dynlibmod/dynlibmod.h"

#include <stdlib.h>

#include "dnsrep/config.h"
#include "dnsrep/version.h"

/** What the module keeps between init and deinit (in dynlibmod_env.dyn_env). */
struct dnsrep_module {
	struct dnsrep_config *cfg;  /**< dnsrep.conf as read at init */
	const char *cfg_path;       /**< which file that was */
};

/* Unbound finds these by name; declared here so -Wmissing-prototypes is happy. */
int init(struct module_env *env, int id);
void deinit(struct module_env *env, int id);
void operate(struct module_qstate *qstate, enum module_ev event, int id,
	struct outbound_entry *entry);
void inform_super(struct module_qstate *qstate, int id, struct module_qstate *super);
void clear(struct module_qstate *qstate, int id);
size_t get_mem(struct module_env *env, int id);

/** Read dnsrep.conf; a bad one fails init, and Unbound will not start. */
int init(struct module_env *env, int id)
{
	struct dynlibmod_env *de = env->modinfo[id];
	char err[DNSREP_ERRLEN];
	struct dnsrep_module *mod = calloc(1, sizeof(*mod));
	if (!mod) {
		log_err("dnsrep: out of memory");
		return 0;
	}
	mod->cfg_path = dnsrep_config_default_path();
	if (dnsrep_config_load(mod->cfg_path, &mod->cfg, err, sizeof(err)) < 0) {
		log_err("dnsrep: %s", err);
		log_err("dnsrep: refusing to start with a broken configuration "
			"(set DNSREP_CONF to use another file)");
		free(mod);
		return 0;
	}
	de->dyn_env = mod;
	log_info("dnsrep %s: init, module %d, config %s (%zu feeds)",
		 dnsrep_version(), id, mod->cfg_path, mod->cfg->n_feeds);
	return 1;
}

void deinit(struct module_env *env, int id)
{
	struct dynlibmod_env *de = env->modinfo[id];
	struct dnsrep_module *mod = de->dyn_env;
	if (!mod)
		return;
	dnsrep_config_free(mod->cfg);
	free(mod);
	de->dyn_env = NULL;
	log_info("dnsrep: deinit, module %d", id);
}

/** Pass the query on: down the stack when new, up when the modules below are done. */
void operate(struct module_qstate *qstate, enum module_ev event, int id,
	struct outbound_entry *entry)
{
	(void)entry;
	switch (event) {
	case module_event_new:
	case module_event_pass:
		qstate->ext_state[id] = module_wait_module;
		return;
	case module_event_moddone:
		qstate->ext_state[id] = module_finished;
		return;
	default:
		log_err("dnsrep: unexpected module event %d", (int)event);
		qstate->ext_state[id] = module_error;
		return;
	}
}

void inform_super(struct module_qstate *qstate, int id, struct module_qstate *super)
{
	(void)qstate;
	(void)id;
	(void)super;
}

void clear(struct module_qstate *qstate, int id)
{
	qstate->minfo[id] = NULL;
}

size_t get_mem(struct module_env *env, int id)
{
	(void)env;
	(void)id;
	return 0;
}
