/**
 * Russian by default, English on request; the choice is remembered in localStorage. dayjs (dates in
 * pickers) follows the language.
 */
import dayjs from "dayjs";
import "dayjs/locale/ru";
import "dayjs/locale/en";
import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import { en } from "./en.ts";
import { ru } from "./ru.ts";

export const LANGUAGES = ["ru", "en"] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = "kopilka.language";

function remembered(): Language {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    return saved === "en" || saved === "ru" ? saved : "ru";
  } catch {
    return "ru";
  }
}

const initial = remembered();
dayjs.locale(initial);
document.documentElement.lang = initial;

void i18n.use(initReactI18next).init({
  resources: { ru: { translation: ru }, en: { translation: en } },
  lng: initial,
  fallbackLng: "ru",
  interpolation: { escapeValue: false },
  returnNull: false,
});

export function setLanguage(language: Language): void {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // private mode: the choice lasts for this page only
  }
  dayjs.locale(language);
  document.documentElement.lang = language;
  void i18n.changeLanguage(language);
}

export default i18n;
