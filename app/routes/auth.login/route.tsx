// Non-embedded entry: a merchant types their shop domain to install or open the app.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppProvider as PolarisAppProvider, Button, Card, FormLayout, Page, Text, TextField } from "@shopify/polaris";
import polarisTranslations from "@shopify/polaris/locales/en.json";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { useState } from "react";
import { LoginErrorType } from "@shopify/shopify-app-remix/server";
import { login } from "~/shopify.server";
import { readForm } from "~/request-input.server";
import { shopFromLoginInput } from "~/domain/shopify-ids";
import { env } from "~/env.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

function loginErrorMessage(errors: Awaited<ReturnType<typeof login>>): { shop?: string } {
  if (errors?.shop === LoginErrorType.MissingShop) return { shop: "Please enter your shop domain to log in" };
  if (errors?.shop === LoginErrorType.InvalidShop) return { shop: "Please enter a valid shop domain to log in" };
  return {};
}

/**
 * The library's `login` with the shop checked by the app's rule first (app/domain/shopify-ids.ts):
 * the canonical domain, or a 400 with the form's message. The library's own check is looser (it
 * takes upper case, other Shopify domains and any length of handle).
 */
async function loginAs(url: URL, typed: string): Promise<Response> {
  const shop = shopFromLoginInput(typed, env().SHOP_CUSTOM_DOMAIN);
  if (!shop) return json({ errors: loginErrorMessage({ shop: LoginErrorType.InvalidShop }) }, { status: 400 });
  url.searchParams.set("shop", shop);
  return json({ errors: loginErrorMessage(await login(new Request(url))) });
}

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const typed = url.searchParams.get("shop");
  if (typed !== null) return loginAs(url, typed);
  // A HEAD is a GET without the body (Remix runs this loader for both): the library's `login` reads
  // any request but a GET as a posted form, and a HEAD has none (a TypeError, answered 500).
  const asGet = request.method === "HEAD" ? new Request(url, { headers: request.headers, signal: request.signal }) : request;
  return json({ errors: loginErrorMessage(await login(asGet)) });
}

/** The login form is read by the app's bounded form reader (the library's `login` would read the
 * whole body, before anyone is authenticated); the library then gets the shop as `?shop=`. */
const MAX_LOGIN_FORM_BYTES = 4 * 1024;

export async function action({ request }: ActionFunctionArgs) {
  const url = new URL(request.url);
  const inUrl = url.searchParams.get("shop");
  if (inUrl) return loginAs(url, inUrl);
  const read = await readForm(request, MAX_LOGIN_FORM_BYTES);
  const shop = read.ok ? read.form.get("shop") : null;
  if (typeof shop !== "string" || shop.trim() === "") {
    return json({ errors: loginErrorMessage({ shop: read.ok ? LoginErrorType.MissingShop : LoginErrorType.InvalidShop }) }, { status: read.ok ? 400 : read.status });
  }
  return loginAs(url, shop);
}

export default function Auth() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [shop, setShop] = useState("");
  const { errors } = actionData ?? loaderData;
  return (
    <PolarisAppProvider i18n={polarisTranslations}>
      <Page>
        <Card>
          <Form method="post">
            <FormLayout>
              <Text variant="headingMd" as="h2">
                Log in
              </Text>
              <TextField
                type="text"
                name="shop"
                label="Shop domain"
                helpText="example.myshopify.com"
                value={shop}
                onChange={setShop}
                autoComplete="on"
                error={errors.shop}
              />
              <Button submit>Log in</Button>
            </FormLayout>
          </Form>
        </Card>
      </Page>
    </PolarisAppProvider>
  );
}
