/** The one account of the bench: created by the library server, logged in as by the login scenarios. */
export const BENCH_USER = { username: 'bench', password: 'a bench password of decent length' };
