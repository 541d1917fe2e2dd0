/** The caller behind a bearer token: a POS credential of one partner, maybe bound to one store. */
export interface Principal {
  credentialId: number;
  partnerId: number;
  storeId: number | null;
  login: string;
}
