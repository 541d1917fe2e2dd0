/** The product catalogue: the only code that writes the products table. */

export * from "./catalog-service.js";
export * from "./product-directory.js";
export * from "./product-list.js";
export * from "./product-names.js";
export * from "./products.js";
